/* docker login: the credentials are good when the registry's /v2/
 * answers 200 with them (through its challenge, Basic or Bearer). */
#include "runtime/images/registry_client.h"

#include <stdio.h>
#include <string.h>

int registry_login(const char *server, const struct registry_opts *o, struct berr *err)
{
	struct registry_client c;
	struct registry_req q = { .path = "/v2/", .body_fd = -1, .max_body = 64 << 10 };
	struct registry_resp resp;
	char host[IMAGE_REF_NAME_MAX + 1];
	const char *h = server;
	int ret;

	/* docker login may name the server as a URL. */
	if (strncmp(h, "https://", 8) == 0)
		h += 8;
	else if (strncmp(h, "http://", 7) == 0)
		h += 7;
	snprintf(host, sizeof(host), "%s", h);
	host[strcspn(host, "/")] = '\0';
	if (!host[0])
		return berr_invalid(err, "login: no registry named");
	if (!o->auth || !o->auth->username || !o->auth->password)
		return berr_invalid(err, "login to %s: a username and a password are required",
				    host);
	ret = registry_client_init_host(&c, host, o, err);
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
	registry_client_release(&c);
	return ret;
}
