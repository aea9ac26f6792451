# The audit trail moves from privacy to its own bottom-layer app, keeping its rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from support.groups import ensure_support_group


def add_support_permission(apps, schema_editor):
    ensure_support_group(apps)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0004_deletion'),
        ('privacy', '0005_emailed_requests_entered_by_support'),
        ('support', '0003_privacy_centre_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table privacy made moves here as it is: state first, then its name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('login.succeeded', 'Logged in'), ('login.failed', 'Failed log-in'), ('logout', 'Logged out'), ('password.changed', 'Password changed'), ('password.reset', 'Password reset'), ('email.changed', 'Email address changed'), ('mfa.added', 'Two-factor method added'), ('mfa.removed', 'Two-factor method removed'), ('mfa.recovery_reset', 'Recovery codes regenerated'), ('workspace.created', 'Workspace created'), ('workspace.updated', 'Workspace settings changed'), ('invitation.sent', 'Invitation sent'), ('invitation.revoked', 'Invitation revoked'), ('invitation.accepted', 'Invitation accepted'), ('member.role_changed', 'Role changed'), ('member.removed', 'Member removed'), ('member.left', 'Member left'), ('workspace.ownership_transferred', 'Ownership transferred'), ('account.connected', 'Social account connected'), ('account.reconnected', 'Social account reconnected'), ('account.disconnected', 'Social account disconnected'), ('inbox.thread_deleted', 'Inbox conversation deleted'), ('inbox.retention_changed', 'Inbox retention changed'), ('user.deleted', 'Account deleted'), ('user.purged', 'Deleted account purged'), ('workspace.deleted', 'Workspace deleted'), ('workspace.purged', 'Deleted workspace purged'), ('privacy_request.filed', 'Privacy request filed'), ('privacy_request.confirmed', 'Privacy request email confirmed'), ('privacy_request.verified', 'Privacy request verified'), ('privacy_request.started', 'Privacy request in progress'), ('privacy_request.extended', 'Privacy request deadline extended'), ('privacy_request.rejected', 'Privacy request rejected'), ('privacy_request.completed', 'Privacy request completed'), ('post.deleted', 'Post deleted'), ('media.deleted', 'Media file deleted')], db_index=True, max_length=64)),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                        ('user_agent', models.CharField(blank=True, max_length=300)),
                        ('details', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('subject_user', models.ForeignKey(blank=True, help_text='The person the event is about, when not the actor.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('workspace', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='audit_events', to='accounts.workspace')),
                    ],
                    options={
                        'db_table': 'privacy_auditevent',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['workspace', '-created_at'], name='audit_ws_recent')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='auditevent', table=None),
        migrations.RunPython(add_support_permission, migrations.RunPython.noop),
    ]
