from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('govmedia', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountState',
            fields=[
                ('account', fields.OneToOneField('govmedia.Account', source_field='account_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='state', on_delete=OnDelete.CASCADE)),
                ('last_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_success_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('known_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error_kind', fields.CharField(null=True, max_length=16)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('consecutive_failures', fields.IntField(default=0)),
                ('gone', fields.BooleanField(default=False)),
                ('backfilled_from', fields.DateField(null=True)),
                ('cursor', fields.CharField(default='', max_length=256)),
                ('lease_owner', fields.CharField(null=True, max_length=64)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cooldown_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('next_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_state', 'app': 'govmedia', 'pk_attr': 'account_id', 'table_description': 'Collection state of an account: coverage, last success and error, lease, cool-down, cursor.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CollectionAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('govmedia.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='attempts', on_delete=OnDelete.CASCADE)),
                ('method', fields.CharField(max_length=16)),
                ('worker', fields.CharField(default='', max_length=64)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharField(default='running', max_length=16)),
                ('error_kind', fields.CharField(null=True, max_length=16)),
                ('error_code', fields.CharField(null=True, max_length=32)),
                ('message', fields.TextField(default='', unique=False)),
                ('new_posts', fields.IntField(default=0)),
                ('updated_posts', fields.IntField(default=0)),
                ('calls', fields.IntField(default=0)),
            ],
            options={'table': 'collection_attempt', 'app': 'govmedia', 'indexes': [Index(fields=['account_id', 'started_at'])], 'pk_attr': 'id', 'table_description': 'One collection attempt of one account: outcome, error kind, message (never a secret).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DailyMetric',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('govmedia.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='metrics', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('followers', fields.BigIntField(null=True)),
                ('new_followers', fields.BigIntField(null=True)),
                ('lost_followers', fields.BigIntField(null=True)),
                ('reads', fields.BigIntField(null=True)),
                ('shares', fields.BigIntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'daily_metric', 'app': 'govmedia', 'unique_together': (('account_id', 'day'),), 'pk_attr': 'id', 'table_description': 'Reach of an account on one day (county calendar), upserted by (account, day).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Post',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('govmedia.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.CASCADE)),
                ('post_id', fields.CharField(max_length=128)),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('title', fields.CharField(default='', max_length=256)),
                ('url', fields.CharField(default='', max_length=1024)),
                ('pinned', fields.BooleanField(default=False)),
                ('original', fields.BooleanField(null=True)),
                ('reads', fields.BigIntField(null=True)),
                ('likes', fields.BigIntField(null=True)),
                ('shares', fields.BigIntField(null=True)),
                ('comments', fields.BigIntField(null=True)),
                ('zaikan', fields.BigIntField(null=True)),
                ('favorites', fields.BigIntField(null=True)),
                ('source', fields.CharField(default='', max_length=16)),
                ('first_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'post', 'app': 'govmedia', 'unique_together': (('account_id', 'post_id'),), 'indexes': [Index(fields=['account_id', 'published_at'])], 'pk_attr': 'id', 'table_description': 'One post of an account, upserted by (account, platform post id).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TokenCache',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=128)),
                ('ciphertext', fields.TextField(unique=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('refreshed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'token_cache', 'app': 'govmedia', 'pk_attr': 'key', 'table_description': 'A platform access token shared by every process, stored encrypted with the app secret.'},
            bases=['Model'],
        ),
    ]
