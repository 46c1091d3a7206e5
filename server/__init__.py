"""Coprogramma: event-sourced co-programming of Lombardy's Piani di Zona."""
