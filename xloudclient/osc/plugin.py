"""The python-openstackclient plugin contract for xloudclient.

This module is imported on every `openstack` invocation: it must stay cheap.
"""

import os

from osc_lib import utils

API_NAME = 'xloud'
API_VERSION_OPTION = 'os_xloud_api_version'
DEFAULT_API_VERSION = '1'
API_VERSIONS = ('1',)


def make_client(instance):
    """Our commands talk to Neutron through openstacksdk's network proxy,
    each request bounded by OS_API_TIMEOUT seconds (default 60):
    python-openstackclient itself sets no timeout at all."""
    from xloudclient.cloud import neutron

    return neutron.Timed(instance.sdk_connection.network,
                         neutron.api_timeout(os.environ))


def make_identity(instance):
    """Keystone for our commands, through openstacksdk's identity proxy,
    each request bounded as Neutron's."""
    from xloudclient.cloud import neutron

    return neutron.Timed(instance.sdk_connection.identity,
                         neutron.api_timeout(os.environ))


def build_option_parser(parser):
    parser.add_argument(
        '--os-xloud-api-version',
        metavar='<xloud-api-version>',
        default=utils.env('OS_XLOUD_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help='xloudclient command set version, default=%s '
             '(Env: OS_XLOUD_API_VERSION)' % DEFAULT_API_VERSION,
    )
    return parser
