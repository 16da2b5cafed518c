"""One service per Allegro resource family, each owning its rules and its tables in the store.

Services receive the store and the other services they need in their constructors; none
imports a handler or the application (`backend.Backend` composes them).
"""
