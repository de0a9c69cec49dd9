"""The guidebook (handlingsveileder) as data: loading, validation and the engine. Imports nothing from Flask."""
