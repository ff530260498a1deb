"""One router per resource, mounted under ``/api/v1`` by :func:`finrag.service.app.create_app`."""

__all__: list[str] = []
