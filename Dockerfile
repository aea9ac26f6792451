# Production image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never PATH=/opt/venv/bin:$PATH
RUN pip install --no-cache-dir uv==0.13.8 && useradd --create-home mixora
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-install-project
COPY . .
# collectstatic needs the production storage (hashed, compressed files) but no real secrets.
RUN DJANGO_SETTINGS_MODULE=mixora.settings.production ALLOWED_HOSTS=build \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    AWS_STORAGE_BUCKET_NAME=build \
    TOKEN_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    python manage.py collectstatic --noinput \
    && chown -R mixora /app
USER mixora
EXPOSE 8000
CMD ["gunicorn", "mixora.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "8", "--timeout", "30", "--forwarded-allow-ips", "*"]
