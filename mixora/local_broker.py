"""The local mode's Celery broker: kombu's file-system transport, with each message written
to a side folder and renamed into the queue folder, so a worker never picks up a file that
is still being written (kombu's own `_put` writes in place; a reader can move the empty file
and crash on it)."""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        writing = os.path.join(self.data_folder_out, os.pardir, "writing")
        os.makedirs(writing, exist_ok=True)
        temporary = os.path.join(writing, name)
        with open(temporary, "wb") as f:
            f.write(dumps(payload).encode())
        os.replace(temporary, os.path.join(self.data_folder_out, name))


class Transport(filesystem.Transport):
    Channel = Channel
