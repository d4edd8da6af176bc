"""Accounts whose platform id is not known yet (待补全): nullable uid, the identifiers a list carried, a flag."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('govmedia', '0005_lane_slot')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Account',
            options={'table': 'account', 'app': 'govmedia', 'unique_together': (('platform', 'uid'),), 'pk_attr': 'id', 'table_description': 'A government new-media account, identified by (platform, uid), pending (待补全) while uid or unit is unknown.'},
        ),
        ops.AlterField(
            model_name='Account',
            name='uid',
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddField(
            model_name='Account',
            name='alias',
            field=fields.CharField(default='', description='An identifier the list carried that is not the uid: WeChat 微信号 or Weibo @name (to resolve).', db_default='', max_length=128),
        ),
        ops.AddField(
            model_name='Account',
            name='biz',
            field=fields.CharField(default='', description='WeChat ``__biz`` when the list gave it.', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Account',
            name='pending',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
