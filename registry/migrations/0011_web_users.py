"""The web console (issue 23): its users (role, unit, argon2 hash, session epoch) and login attempts
(for throttling by user name and by address). Two new tables; no existing table changes.
Sessions live in signed cookies, not in the database."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('govmedia', '0009_post_text')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WebUser',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('role', fields.CharField(max_length=16)),
                ('unit', fields.ForeignKeyField('govmedia.Unit', source_field='unit_id', null=True, db_constraint=True, to_field='id', related_name='web_users', on_delete=OnDelete.SET_NULL)),
                ('password_hash', fields.CharField(max_length=256)),
                ('disabled', fields.BooleanField(default=False)),
                ('session_epoch', fields.IntField(default=0)),
                ('wecom_userid', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'web_user', 'app': 'govmedia', 'pk_attr': 'id', 'table_description': 'A user of the web console.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=160)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ok', fields.BooleanField(default=False)),
            ],
            options={'table': 'web_login_attempt', 'app': 'govmedia', 'indexes': [Index(fields=['key', 'at'])], 'pk_attr': 'id', 'table_description': 'One login attempt against the web console.'},
            bases=['Model'],
        ),
    ]
