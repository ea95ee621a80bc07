"""Reports: the maintained rollups and their reconciler (``rollups``), who sees which figures
over which period (``scope``), the dashboard's figures (``figures``, and ``live`` for what
depends on now), the latest survey comments (``comments``), charts drawn as SVG on the server
(``charts``) and the exports (``exports``).
"""
