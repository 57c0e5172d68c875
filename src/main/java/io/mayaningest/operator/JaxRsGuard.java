package io.mayaningest.operator;

import io.mayaningest.source.http.UploadAuth;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * The second lock of {@link OperatorAuth}: RESTEasy normalises paths its own way (it strips matrix
 * parameters, for one), so the operator's credentials are checked again on every request it
 * dispatches, whatever the path. No JAX-RS resource of the service is public (the health probes are
 * Vert.x routes), so there is no path list here at all. Pre-matching: a path RESTEasy does not know
 * answers 401 too and tells nothing about which resources exist.
 */
@Provider
@PreMatching
public class JaxRsGuard implements ContainerRequestFilter {

    private final OperatorAuth auth;
    private final CurrentVertxRequest vertx;

    public JaxRsGuard(OperatorAuth auth, CurrentVertxRequest vertx) {
        this.auth = auth;
        this.vertx = vertx;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        // The upload API's requests are an API client's, not the operator's: let through only those the
        // Vert.x check passed (exact path) and whose path RESTEasy sees as the same source's upload API;
        // UploadResource checks the client again for the source name RESTEasy resolved.
        RoutingContext context = vertx.getCurrent();
        String passed = context == null ? null : context.get(UploadAuth.PASSED);
        if (passed != null && UploadAuth.isUploadPath(request.getUriInfo().getPath(), passed)) {
            return;
        }
        jakarta.ws.rs.core.Cookie session = request.getCookies().get(OperatorSessions.COOKIE);
        if (!auth.authorized(request.getHeaderString(HttpHeaders.AUTHORIZATION), session == null ? null : session.getValue(),
                request.getMethod(), request.getHeaderString(OperatorSessions.CSRF_HEADER))) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, OperatorAuth.CHALLENGE)
                    .type(MediaType.APPLICATION_JSON_TYPE).entity(OperatorAuth.REFUSAL).build());
        }
    }
}
