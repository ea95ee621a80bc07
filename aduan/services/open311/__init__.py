"""Open311 GeoReport v2 for each agency as a jurisdiction (``jurisdiction_id`` = its code):
its categories as services (``catalog``), requests filed as tickets through intake on the
``open311`` channel (``filing``), and read in the citizen's view of a ticket
(``service_requests``)."""
