from django.dispatch import Signal

# Sent with `account` when a connected account works again after a reconnect.
account_reconnected = Signal()

# Sent with `account` just before a disconnected account is deleted: apps holding a lot of its
# data delete it first, in batches, instead of leaving it all to one cascade.
account_disconnecting = Signal()
