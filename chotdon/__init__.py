"""The composition root: settings, database, workers and the web app that wires the rest."""
