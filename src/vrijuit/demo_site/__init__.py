"""The demo site: ``python manage.py seed_demo`` fills the database with the demo faculty.

The organisation comes from the engine's shipped demo data (:mod:`vrijuit.demo`); the people,
accounts and survey waves around it are made here, deterministically, so every newcomer sees
the same site. Nothing in this package runs in production unless someone asks for the demo.
"""
