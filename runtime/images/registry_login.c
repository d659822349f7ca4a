/* docker login: the credentials are good when the registry's /v2/
 * answers 200 with them (through its challenge, Basic or Bearer).  A
 * token server that gives a refresh token for them (OAuth2's offline
 * access) gives the identity token docker keeps in place of the
 * password. */
#include "runtime/images/registry_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/cleanup.h"

int registry_login(const char *server, const struct registry_opts *o, char **identity_token,
		   struct berr *err)
{
	const struct spec_registry_auth *a = o->auth;
	struct registry_client c;
	struct registry_req q = { .path = "/v2/", .body_fd = -1, .max_body = 64 << 10 };
	struct registry_resp resp;
	char host[IMAGE_REF_NAME_MAX + 1];
	const char *h = server;
	int ret;

	*identity_token = NULL;
	/* docker login may name the server as a URL. */
	if (strncmp(h, "https://", 8) == 0)
		h += 8;
	else if (strncmp(h, "http://", 7) == 0)
		h += 7;
	snprintf(host, sizeof(host), "%s", h);
	host[strcspn(host, "/")] = '\0';
	if (!host[0])
		return berr_invalid(err, "login: no registry named");
	if (!a || !((a->username && a->password) || a->identity_token))
		return berr_invalid(err, "login to %s: a username and a password are required",
				    host);
	ret = registry_client_init_host(&c, host, o, err);
	c.login = true;
	if (ret == 0)
		ret = registry_do(&c, &q, &resp, host, err);
	if (ret == 0) {
		if (resp.status == 401 || resp.status == 403)
			ret = berr_failk(err, BERR_INVALID, EACCES,
					 "login to %s: unauthorized: incorrect username or "
					 "password",
					 host);
		else if (resp.status != 200)
			ret = registry_status_error(&resp, host, err);
		registry_resp_free(&resp);
	}
	/* A login with an identity token keeps it, unless the server gave
	 * a new one. */
	if (ret == 0 && c.refresh_token)
		*identity_token = steal_ptr(c.refresh_token);
	else if (ret == 0 && a->identity_token && !a->password &&
		 !(*identity_token = strdup(a->identity_token)))
		ret = berr_set(err, ENOMEM, "login");
	registry_client_release(&c);
	return ret;
}
