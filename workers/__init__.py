"""RQ jobs, queue names, worker class and the periodic schedule."""
