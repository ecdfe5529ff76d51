"""iCalendar: pure builders (objects in, bytes out) and what an entry shows."""
