"""HTTP in and out: the REST gate (`gate`), OAuth (`oauth`), one module of thin handlers per
resource family, and `/_emulator/` steering. Handlers parse the request, call one service of
the `Backend` and shape Allegro's answer."""
