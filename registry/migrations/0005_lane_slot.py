"""Lane pacing shared by every ``run --worker`` process: one row per lane key, its next free moment."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('govmedia', '0004_county_time_text')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LaneSlot',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=160)),
                ('next_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lane_slot', 'app': 'govmedia', 'pk_attr': 'key', 'table_description': 'The next moment a collection lane may be called, shared by every ``run --worker`` process (PostgreSQL).'},
            bases=['Model'],
        ),
    ]
