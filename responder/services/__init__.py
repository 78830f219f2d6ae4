"""Domain services: plain values and explicit dependencies in, domain errors out.

Nothing here imports Flask's ``request`` or ``g``; callers pass the SQLAlchemy session,
the acting user (:class:`responder.services.actors.Actor`) and, where needed, the road network.
"""
