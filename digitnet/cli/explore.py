"""``digitnet explore``: serve the explorer page and open it in the browser."""

import errno
import sys
import webbrowser

from ..errors import DigitnetError
from ..models import load_bundled, load_shipped, shipped_names
from .common import add_data_option, load_model, port_number


def register(subparsers):
    parser = subparsers.add_parser(
        "explore",
        help="open the explorer page: draw a digit and watch the network think",
        description="Serve the explorer page on this computer and open it in the browser. Without --model "
        "it shows the trained 784-16-16-10 network that ships with digitnet, so it works with "
        "no data and no internet. Ctrl-C stops it.",
    )
    parser.add_argument(
        "--model",
        metavar="FILE",
        help="a model file saved by `digitnet train` (default: the network shipped with digitnet)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only). Any other address "
        "makes the page reachable from other computers: the server then needs a token, "
        "part of the address it prints",
    )
    parser.add_argument(
        "--port", type=port_number, default=8000, help="port to listen on (default 8000; 0 picks a free one)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser; just print the address")
    add_data_option(parser)
    parser.set_defaults(run=run_explore)


def run_explore(args):
    from ..web.server import make_server

    net, name = (load_model(args.model), args.model) if args.model else (load_bundled(), "shipped 3b1b network")
    others = [(shipped, load_shipped(shipped)) for shipped in shipped_names() if shipped != (args.model or "3b1b")]
    try:
        server = make_server(net, name, host=args.host, port=args.port, data_dir=args.data, others=others)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise DigitnetError(
                f"port {args.port} on {args.host} is already in use; try another with --port (0 picks a free one)"
            ) from None
        raise DigitnetError(f"cannot listen on {args.host}:{args.port} ({error.strerror or error})") from None
    if server.token is not None:
        print(
            f"digitnet explorer: WARNING: listening on {args.host}, reachable from other computers, over "
            "plain HTTP (not encrypted). Anyone who has the address below, with its token, can use this "
            "server, train networks on it and download MNIST into its data folder.",
            file=sys.stderr,
            flush=True,
        )
    print(f"digitnet explorer: {server.url}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("digitnet explorer: stopped", flush=True)
    finally:
        server.close()
    return 0
