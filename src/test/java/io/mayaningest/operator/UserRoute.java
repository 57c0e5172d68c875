package io.mayaningest.operator;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Stands for a route a user mounts later (a platform-http endpoint, a console page): the service's
 * guard must cover it without knowing its path.
 */
@ApplicationScoped
public class UserRoute {

    public static final String PATH = "/user-route";

    void mount(@Observes Router router) {
        router.route(PATH).handler(context -> context.response().end("a user's route"));
    }
}
