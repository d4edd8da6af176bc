"""Reach and responsiveness (issue 15): where post numbers came from, comment/answer facts per post,
WeChat getbizsummary totals per day. Every new column is nullable: unknown stays NULL, never 0."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('govmedia', '0005_lane_slot')]

    initial = False

    operations = [
        ops.AddField(
            model_name='DailyMetric',
            name='comments',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='DailyMetric',
            name='favorites',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='DailyMetric',
            name='likes',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='DailyMetric',
            name='posts_sent',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='DailyMetric',
            name='zaikan',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Post',
            name='comments_answered',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Post',
            name='comments_checked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Post',
            name='comments_open',
            field=fields.BooleanField(null=True),
        ),
        ops.AddField(
            model_name='Post',
            name='comments_seen',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Post',
            name='first_answer_delay_s',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Post',
            name='median_answer_delay_s',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Post',
            name='oldest_unanswered_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Post',
            name='stats_provisional',
            field=fields.BooleanField(null=True),
        ),
        ops.AddField(
            model_name='Post',
            name='stats_source',
            field=fields.CharField(null=True, max_length=32),
        ),
    ]
