"""Screens across PostHog environments: the header's switcher, All environments (/environments/)
and the provider keys matrix (/environments/keys/). No environment can take the slug
"environments", so these URLs never shadow an environment's own."""
