"""What error pages and error emails may show of the settings. Django hides settings whose
names contain API, AUTH, TOKEN, KEY, SECRET, PASS or SIGNATURE; Mixora also keeps client
credentials (`PLATFORM_CREDENTIALS`) and connection URLs, which carry passwords
(`DATABASE_URL`, `REDIS_URL`, `CELERY_BROKER_URL`), out of them."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class SettingsFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|_URL$|DATABASES|CACHES",
        flags=re.IGNORECASE,
    )
