"""The jobs service: job records, run-at and cron schedules, webhooks (meshwork.jobs.v1)."""
