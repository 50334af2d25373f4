"""pygls's language-server protocol, with two changes: the position encoding is chosen by
``positions.negotiate`` (UTF-8 when the client offers it, else UTF-16; pygls would take the
client's first supported one), and a request whose parameters are not what its method takes
is answered with the error (pygls reports it and drops the request: the client would wait
for an answer forever)."""
from __future__ import annotations

import logging

import attrs
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .positions import negotiate

log = logging.getLogger("xpiler_lsp")


class XpilerProtocol(LanguageServerProtocol):
    @lsp_method(T.INITIALIZE)
    def lsp_initialize(self, params: T.InitializeParams):
        """pygls's initialization (the workspace and its codec, ``capabilities.
        positionEncoding``), offered only the encoding ``negotiate`` chose."""
        caps = params.capabilities
        general = caps.general or T.GeneralClientCapabilities()
        chosen = negotiate(general.position_encodings)
        narrowed = attrs.evolve(params, capabilities=attrs.evolve(
            caps, general=attrs.evolve(general, position_encodings=[chosen])))
        result = yield from super().lsp_initialize(narrowed)
        self.client_capabilities = caps  # what the client said, whole
        return result

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as e:
            if isinstance(data, dict) and isinstance(data.get("method"), str) and \
                    isinstance(data.get("id"), (int, str)) and not isinstance(data.get("id"), bool):
                why = str(e.__cause__ or e.message or type(e).__name__)[:300]
                log.warning("%s with parameters it does not take: %s", data["method"], why)
                self._send_response(data["id"], error=T.ResponseError(
                    code=e.code, message=f"{data['method']}: parameters it does not take ({why})"))
            raise
