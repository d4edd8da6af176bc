"""Month-end snapshots (issue 24): one row per closed month with the figures of the monthly review's trend,
written once when the month closes so that the review reads them instead of re-running the rules."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('govmedia', '0011_web_users')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MonthSnapshot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('month', fields.CharField(unique=True, max_length=7)),
                ('accounts', fields.IntField()),
                ('checked', fields.IntField()),
                ('failed', fields.IntField()),
                ('posts', fields.IntField()),
                ('reads', fields.BigIntField(null=True)),
                ('taken_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'month_snapshot', 'app': 'govmedia', 'pk_attr': 'id',
                     'table_description': "A closed month's health figures as recorded once when it closed (the "
                                          "monthly review's trend reads them)."},
            bases=['Model'],
        ),
    ]
