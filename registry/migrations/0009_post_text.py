"""Content safety (issue 16): each post's checkable text and its coverage, the content scan marker
and the scan's (masked) problems. Every new column is nullable: a post we only know by title stays NULL."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('govmedia', '0008_followers_approx')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Post',
            name='text',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Post',
            name='text_coverage',
            field=fields.CharField(null=True, max_length=8),
        ),
        ops.AddField(
            model_name='Post',
            name='content_scanned',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.AddField(
            model_name='Post',
            name='content_hits',
            field=fields.JSONField(null=True),
        ),
        ops.AddIndex(
            model_name='Post',
            index=Index(fields=['content_scanned']),
        ),
    ]
