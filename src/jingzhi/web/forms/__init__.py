"""Forms only parse what the browser sent; the services decide whether it is acceptable."""
