from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.CharField(max_length=64)),
                ('entity', fields.CharField(max_length=16)),
                ('entity_id', fields.IntField()),
                ('ref', fields.CharField(default='', max_length=200)),
                ('action', fields.CharField(max_length=16)),
                ('changes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'audit_event', 'app': 'govmedia', 'indexes': [Index(fields=['entity', 'entity_id'])], 'pk_attr': 'id', 'table_description': 'One change to the registry: who, when, what, before and after.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Unit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=128)),
                ('kind', fields.CharField(default='other', max_length=16)),
                ('parent', fields.ForeignKeyField('govmedia.Unit', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'unit', 'app': 'govmedia', 'pk_attr': 'id', 'table_description': 'A government unit (单位) that runs or supervises accounts.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('govmedia.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='people', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=64)),
                ('role', fields.CharField(max_length=16)),
                ('phone', fields.CharField(default='', max_length=32)),
                ('wecom_userid', fields.CharField(default='', max_length=64)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'person', 'app': 'govmedia', 'unique_together': (('unit_id', 'name', 'role'),), 'pk_attr': 'id', 'table_description': 'A contact person of a unit (负责人 / 分管领导 / 运维人员).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('platform', fields.CharField(max_length=16)),
                ('uid', fields.CharField(max_length=128)),
                ('name', fields.CharField(max_length=128)),
                ('account_type', fields.CharField(default='', max_length=32)),
                ('verified_subject', fields.CharField(default='', max_length=128)),
                ('unit', fields.ForeignKeyField('govmedia.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.RESTRICT)),
                ('operator_org', fields.CharField(default='', max_length=128)),
                ('head', fields.ForeignKeyField('govmedia.Person', source_field='head_id', null=True, db_constraint=True, to_field='id', related_name='headed_accounts', on_delete=OnDelete.SET_NULL)),
                ('operator', fields.ForeignKeyField('govmedia.Person', source_field='operator_id', null=True, db_constraint=True, to_field='id', related_name='operated_accounts', on_delete=OnDelete.SET_NULL)),
                ('matrix_role', fields.CharField(default='member', max_length=16)),
                ('status', fields.CharField(default='operating', max_length=16)),
                ('opened_on', fields.DateField(null=True)),
                ('filed', fields.BooleanField(default=False)),
                ('filed_on', fields.DateField(null=True)),
                ('interaction', fields.CharField(default='', max_length=128)),
                ('update_frequency', fields.CharField(default='', max_length=32)),
                ('collect_method', fields.CharField(default='manual', max_length=16)),
                ('credential', fields.CharField(default='', max_length=64)),
                ('feed_url', fields.CharField(default='', max_length=512)),
                ('notes', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'account', 'app': 'govmedia', 'unique_together': (('platform', 'uid'),), 'pk_attr': 'id', 'table_description': 'A government new-media account, identified by (platform, uid).'},
            bases=['Model'],
        ),
    ]
