"""Month-end verdicts (issue 24): a closed month's snapshot also keeps each account's verdict (in operation,
checked, failing with its problems' labels), so the next month's review reads its 上月 columns and 复核 list
instead of judging the month again; NULL for snapshots recorded before."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('govmedia', '0012_month_snapshot')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MonthSnapshot',
            name='verdicts',
            field=fields.JSONField(null=True),
        ),
    ]
