from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('govmedia', '0002_collection')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Finding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rule', fields.CharField(max_length=32)),
                ('subject', fields.CharField(max_length=64)),
                ('severity', fields.CharField(max_length=16)),
                ('state', fields.CharField(default='open', max_length=16)),
                ('account', fields.ForeignKeyField('govmedia.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='findings', on_delete=OnDelete.CASCADE)),
                ('unit', fields.ForeignKeyField('govmedia.Unit', source_field='unit_id', null=True, db_constraint=True, to_field='id', related_name='findings', on_delete=OnDelete.CASCADE)),
                ('first_seen', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('summary_zh', fields.TextField(default='', unique=False)),
                ('summary_en', fields.TextField(default='', unique=False)),
                ('evidence', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('claimed_fixed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'finding', 'app': 'govmedia', 'indexes': [Index(fields=['rule', 'subject', 'state']), Index(fields=['state', 'account_id'])], 'pk_attr': 'id', 'table_description': "A rule's finding about an account or unit: opens once, refreshes, resolves itself."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboundMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('msg_id', fields.CharField(unique=True, max_length=64)),
                ('from_user', fields.CharField(max_length=64)),
                ('content', fields.TextField(default='', unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reply', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'inbound_message', 'app': 'govmedia', 'pk_attr': 'id', 'table_description': 'A message received through the WeCom callback, kept for replay protection and the record.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=16)),
                ('recipient', fields.CharField(max_length=128)),
                ('kind', fields.CharField(max_length=16)),
                ('dedupe_key', fields.CharField(unique=True, max_length=128)),
                ('fingerprint', fields.CharField(default='', max_length=64)),
                ('finding_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(default='pending', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'govmedia', 'indexes': [Index(fields=['state', 'next_attempt_at']), Index(fields=['recipient', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One outgoing message in the outbox: written before it is sent, unique by dedupe key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Review',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('govmedia.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE)),
                ('finding', fields.ForeignKeyField('govmedia.Finding', source_field='finding_id', null=True, db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.SET_NULL)),
                ('rule', fields.CharField(max_length=32)),
                ('state', fields.CharField(default='open', max_length=16)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decision', fields.CharField(null=True, max_length=16)),
                ('reason', fields.TextField(default='', unique=False)),
                ('decided_by', fields.CharField(default='', max_length=64)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deadline', fields.DateField(null=True)),
                ('merge_into', fields.ForeignKeyField('govmedia.Account', source_field='merge_into_id', null=True, db_constraint=True, to_field='id', related_name='merged_reviews', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'review', 'app': 'govmedia', 'indexes': [Index(fields=['account_id', 'state'])], 'pk_attr': 'id', 'table_description': 'A shutdown review case (关停整合) of one account.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Silence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('govmedia.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='silences', on_delete=OnDelete.CASCADE)),
                ('unit', fields.ForeignKeyField('govmedia.Unit', source_field='unit_id', null=True, db_constraint=True, to_field='id', related_name='silences', on_delete=OnDelete.CASCADE)),
                ('rule', fields.CharField(null=True, max_length=32)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('state', fields.CharField(default='active', max_length=16)),
                ('author', fields.CharField(max_length=64)),
                ('reason', fields.TextField(unique=False)),
                ('approved_by', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'silence', 'app': 'govmedia', 'pk_attr': 'id', 'table_description': 'An exemption (豁免): muted warnings for an account or unit, optionally one rule, until a time.'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='AccountState',
            options={'table': 'account_state', 'app': 'govmedia', 'pk_attr': 'account_id', 'table_description': 'Collection state of an account: coverage, last success and error, lease, cool-down, cursor.'},
        ),
    ]
