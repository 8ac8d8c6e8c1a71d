"""The OpenStack client face of xloudclient: cliff commands."""
