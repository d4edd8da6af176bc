"""Follower precision (issue 15): a daily follower figure read from an abbreviated platform string
("693.2万", "100万+") is marked approximate; NULL = not said (older rows, sources without followers)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('govmedia', '0007_pending_identity')]

    initial = False

    operations = [
        ops.AddField(
            model_name='DailyMetric',
            name='followers_approx',
            field=fields.BooleanField(null=True),
        ),
    ]
