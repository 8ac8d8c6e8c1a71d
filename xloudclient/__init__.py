"""xloudclient: audit and harden OpenStack Networking (Neutron) security."""
