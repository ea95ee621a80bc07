"""The periodic jobs of the product (see workers.schedule). Each entry's function is a job in
``workers/`` that is safe to run twice."""

from workers.schedule import Periodic, register_periodic

register_periodic(Periodic("worker-heartbeat", "workers.jobs:scheduled_heartbeat", 60))
