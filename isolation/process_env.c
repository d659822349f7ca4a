#include "isolation/process_env.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *process_open_passwd(void)
{
	int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return NULL;
	}
	return f;
}

/* The home field of uid's line (name:pw:uid:gid:gecos:home:shell). */
static char *home_of(FILE *passwd, uid_t uid)
{
	char line[4096];

	if (!passwd)
		return NULL;
	while (fgets(line, sizeof(line), passwd)) {
		char *field[7] = { 0 };
		char *p = line, *end;
		size_t i;

		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 7 && p; i++) {
			field[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (i < 6 || !*field[2])
			continue;
		if (strtoul(field[2], &end, 10) == uid && !*end)
			return *field[5] ? strdup(field[5]) : NULL;
	}
	return NULL;
}

static size_t key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : strlen(kv);
}

int process_env_final(const char *const *env, size_t n, uid_t uid, FILE *passwd,
		      const char ***out, size_t *n_out, struct berr *err)
{
	const char **v = calloc(n + 2, sizeof(*v));
	size_t m = 0, home = (size_t)-1;
	char *dir, *kv;

	if (!v)
		return berr_sys(err, "environment");
	for (size_t i = 0; i < n; i++) {
		size_t len = key_len(env[i]), j;

		for (j = 0; j < m; j++)
			if (key_len(v[j]) == len && strncmp(v[j], env[i], len) == 0)
				break;
		v[j] = env[i];
		if (j == m)
			m++;
		if (len == 4 && strncmp(env[i], "HOME", 4) == 0)
			home = j;
	}
	if (home == (size_t)-1 || v[home][4] != '=' || !v[home][5]) {
		dir = home_of(passwd, uid);
		if (asprintf(&kv, "HOME=%s", dir ? dir : "/") < 0) {
			free(dir);
			free(v);
			return berr_sys(err, "environment");
		}
		free(dir);
		if (home == (size_t)-1)
			home = m++;
		v[home] = kv; /* lives until execve */
	}
	v[m] = NULL;
	*out = v;
	*n_out = m;
	return 0;
}
