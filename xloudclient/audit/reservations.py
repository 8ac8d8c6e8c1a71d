"""The VIP reservation ports `port vip add` makes, as the audit tells them.

A reservation holds a VIP's address as its fixed IP so that Neutron gives
it to no other port; the members hold the address as an allowed address
pair and answer for it. It is named vip-<address>, owned by OWNER, has no
device and one fixed IP, the address. Any project can shape its ports so:
the shape proves something only for ports of the project holding the
pair (a look-alike of another project is another project's port).
"""

OWNER = 'xloud:vip'


def name(address):
    """The reservation's name for an address (its text form)."""
    return 'vip-%s' % address


def is_reservation(port, address, project_id):
    """Whether port is shaped as the reservation of address made for
    project_id."""
    return (port.get('name') == name(address)
            and port.get('device_owner') == OWNER
            and (port.get('project_id') or '') == (project_id or '')
            and not port.get('device_id')
            and [f.get('ip_address') for f in port.get('fixed_ips') or ()]
            == [address])
