"""Open311 GeoReport v2 for each agency as a jurisdiction (``jurisdiction_id`` = its code):
its categories as services (``catalog``), and requests filed through the same intake path
as the web form and read in the citizen's view of a ticket (``service_requests``)."""
