from django.dispatch import Signal

# Sent with `account` when a connected account works again after a reconnect.
account_reconnected = Signal()
