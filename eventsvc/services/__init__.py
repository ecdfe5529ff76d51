"""Every write: each public function owns its transaction."""
