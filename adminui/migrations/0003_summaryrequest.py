import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("adminui", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SummaryRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("requested_by_name", models.CharField(max_length=150)),
                ("environment", models.SlugField(max_length=64)),
                ("evaluation_id", models.CharField(max_length=64)),
                ("evaluation_name", models.CharField(blank=True, max_length=255)),
                ("filter", models.CharField(choices=[("all", "All runs"), ("pass", "Passing runs"), ("fail", "Failing runs"), ("na", "N/A runs")], default="all", max_length=8)),
                ("generation_ids", models.JSONField(blank=True, default=list)),
                ("force_refresh", models.BooleanField(default=False)),
                ("status", models.CharField(choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")], default="queued", max_length=16)),
                ("task_id", models.CharField(blank=True, max_length=64)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("result", models.JSONField(blank=True, null=True)),
                ("error_kind", models.CharField(blank=True, max_length=32)),
                ("error_message", models.TextField(blank=True)),
                ("error_retry_after", models.PositiveIntegerField(blank=True, null=True)),
                ("error_fields", models.JSONField(blank=True, default=dict)),
                ("requested_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["environment", "evaluation_id", "-created_at"], name="adminui_summary_eval_idx")],
            },
        ),
    ]
