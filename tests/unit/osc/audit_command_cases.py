"""Cases and helpers of test_audit_commands.py, shared with the modules
that test the same code (a test module imports no other)."""


EXTENSIONS = ['port-security', 'security-group', 'router',
              'allowed-address-pairs', 'standard-attr-tag', 'quotas']
