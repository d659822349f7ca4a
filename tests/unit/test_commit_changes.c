/* docker commit's run config (runtime/engine/commit.c): the container's
 * settings with --change instructions on top, as the builder applies
 * them; a malformed or unknown instruction fails naming it. */
#include "tests/unit/helpers.h"

#include <stdlib.h>

#include "runtime/engine/commit.h"

static char *config_of(char *const *changes, struct berr *err)
{
	char *env[] = { "PATH=/bin", "A=old", NULL };
	char *cmd[] = { "sleep", "1", NULL };
	char *labels[] = { "from=run", NULL };
	struct daemon_spec s = { .user = "1", .workdir = "/w", .env = env, .cmd = cmd,
				 .labels = labels };
	const char *ports[] = { "80/tcp" };
	struct spec_image_run img = { .exposed_ports = ports, .n_exposed_ports = 1 };
	char *json = NULL;

	if (daemon_commit_config(&s, &img, changes, &json, err) < 0)
		return NULL;
	return json;
}

static void test_no_change(void **state)
{
	struct berr err = { 0 };
	char *json = config_of(NULL, &err);

	(void)state;
	assert_non_null(json);
	assert_string_equal(json,
			    "{\"User\":\"1\",\"ExposedPorts\":{\"80/tcp\":{}},\"Env\":[\"PATH=/bin\","
			    "\"A=old\"],\"Cmd\":[\"sleep\",\"1\"],\"Volumes\":null,\"WorkingDir\":"
			    "\"/w\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{\"from\":"
			    "\"run\"}}");
	free(json);
}

static void test_changes(void **state)
{
	char *changes[] = {
		"env A=new B=\"x y\"", "ENV C spaced value", "EXPOSE 80 53/udp",
		"VOLUME [\"/v1\", \"/v2\"]\nVOLUME /v3", "WORKDIR rel", "USER nobody",
		"ENTRYPOINT echo", "LABEL from=change", "STOPSIGNAL 9", "ONBUILD RUN x",
		"# a comment", NULL,
	};
	struct berr err = { 0 };
	char *json = config_of(changes, &err);

	(void)state;
	assert_non_null(json);
	assert_string_equal(json,
			    "{\"User\":\"nobody\",\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},"
			    "\"Env\":[\"PATH=/bin\",\"A=new\",\"B=x y\",\"C=spaced value\"],"
			    "\"Cmd\":null,\"Volumes\":{\"/v1\":{},\"/v2\":{},\"/v3\":{}},"
			    "\"WorkingDir\":\"/w/rel\",\"Entrypoint\":[\"/bin/sh\",\"-c\",\"echo\"],"
			    "\"OnBuild\":[\"RUN x\"],\"Labels\":{\"from\":\"change\"},"
			    "\"StopSignal\":\"9\"}");
	free(json);
}

static void test_refused(void **state)
{
	static const char *const bad[][2] = {
		{ "RUN true", "RUN is not a valid change command" },
		{ "FROM x", "FROM is not a valid change command" },
		{ "EXPOSE 0", "EXPOSE: invalid port \"0\"" },
		{ "EXPOSE 80/xyz", "EXPOSE: invalid port \"80/xyz\"" },
		{ "LABEL novalue", "LABEL names \"novalue\", not key=value" },
		{ "ENV", "ENV requires at least one argument" },
		{ "USER", "USER requires an argument" },
		{ "CMD [1, 2]", "expected a JSON array of strings" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *changes[] = { (char *)bad[i][0], NULL };
		struct berr err = { 0 };

		assert_null(config_of(changes, &err));
		if (!strstr(err.msg, bad[i][1]))
			fail_msg("%s: got \"%s\"", bad[i][0], err.msg);
		assert_int_equal(err.kind, BERR_INVALID);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_change),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
