#include "runtime/engine/commit.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/engine/archive.h"
#include "runtime/engine/internal.h"
#include "runtime/images/image_store.h"
#include "spec/base/cleanup.h"
#include "spec/base/fsutil.h"
#include "spec/base/strv.h"
#include "spec/json_read.h"
#include "spec/json_write.h"

/* The run config being made, each list NULL-terminated, malloc'd. */
struct run {
	char *user, *workdir, *stop_signal;
	char **env, **cmd, **entrypoint, **labels, **ports, **volumes, **onbuild;
	bool cmd_changed;
};

static void run_free(struct run *r)
{
	free(r->user);
	free(r->workdir);
	free(r->stop_signal);
	strv_free(r->env);
	strv_free(r->cmd);
	strv_free(r->entrypoint);
	strv_free(r->labels);
	strv_free(r->ports);
	strv_free(r->volumes);
	strv_free(r->onbuild);
}

static int push_unique(char ***v, const char *s)
{
	for (size_t i = 0; *v && (*v)[i]; i++)
		if (!strcmp((*v)[i], s))
			return 0;
	return strv_push(v, s);
}

/* "key=value" into a list of them, replacing the key's earlier value. */
static int set_kv(char ***v, const char *key, size_t klen, const char *value)
{
	cleanup_free char *kv = NULL;

	if (asprintf(&kv, "%.*s=%s", (int)klen, key, value) < 0) {
		kv = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; *v && (*v)[i]; i++)
		if (!strncmp((*v)[i], key, klen) && (*v)[i][klen] == '=') {
			free((*v)[i]);
			(*v)[i] = kv;
			kv = NULL;
			return 0;
		}
	return strv_push(v, kv);
}

static void strv_freep(char ***v)
{
	strv_free(*v);
}

#define cleanup_strv __attribute__((cleanup(strv_freep)))

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char **dup_list(const char *const *v, size_t n)
{
	char **out = calloc(n + 1, sizeof(char *));

	for (size_t i = 0; out && i < n; i++)
		if (!(out[i] = strdup(v[i]))) {
			strv_free(out);
			return NULL;
		}
	return out;
}

/* A JSON array of strings (exec form), or NULL with *is_json false. */
static int exec_form(const char *arg, char ***out, bool *is_json, struct berr *err)
{
	cleanup_tree yajl_val doc = NULL;
	char **v = NULL;

	*is_json = false;
	if (arg[0] != '[')
		return 0;
	if (jr_parse(arg, strlen(arg), &doc, err) < 0 || !YAJL_IS_ARRAY(doc)) {
		berr_clear(err);
		return 0; /* not JSON: the shell form, as the builder takes it */
	}
	v = calloc(doc->u.array.len + 1, sizeof(char *));
	if (!v)
		return berr_set(err, ENOMEM, "commit");
	for (size_t i = 0; i < doc->u.array.len; i++) {
		yajl_val s = doc->u.array.values[i];
		const char *str = YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : NULL;

		if (!str || !(v[i] = strdup(str))) {
			strv_free(v);
			return berr_invalid(err, "%s: expected a JSON array of strings", arg);
		}
	}
	*is_json = true;
	*out = v;
	return 0;
}

static int command(const char *arg, char ***out, struct berr *err)
{
	bool json;
	char **v = NULL;
	int ret = exec_form(arg, &v, &json, err);

	if (ret < 0)
		return ret;
	if (!json) {
		const char *sh[] = { "/bin/sh", "-c", arg };

		v = dup_list(sh, 3);
		if (!v)
			return berr_set(err, ENOMEM, "commit");
	}
	strv_free(*out);
	*out = v;
	return 0;
}

/* Words of arg, a double-quoted word taken whole (quotes dropped). */
static char **words(const char *arg)
{
	char **out = calloc(1, sizeof(char *));
	const char *p = arg;

	while (out && *p) {
		char word[4096];
		size_t n = 0;
		bool quoted = false;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		while (*p && (quoted || !isspace((unsigned char)*p)) && n < sizeof(word) - 1) {
			if (*p == '"') {
				quoted = !quoted;
				p++;
				continue;
			}
			if (*p == '\\' && p[1])
				p++;
			word[n++] = *p++;
		}
		word[n] = '\0';
		if (strv_push(&out, word) < 0) {
			strv_free(out);
			return NULL;
		}
	}
	return out;
}

/* ENV and LABEL: key=value pairs, or (ENV only) "key value". */
static int pairs(const char *inst, const char *arg, char ***into, bool single_ok,
		 struct berr *err)
{
	cleanup_strv char **w = words(arg);
	const char *eq;

	if (!w)
		return berr_set(err, ENOMEM, "commit");
	if (!w[0])
		return berr_invalid(err, "%s requires at least one argument", inst);
	if (single_ok && !strchr(w[0], '=')) {
		const char *value = arg;

		while (isspace((unsigned char)*value))
			value++;
		value += strlen(w[0]);
		while (isspace((unsigned char)*value))
			value++;
		return set_kv(into, w[0], strlen(w[0]), value) < 0
			       ? berr_set(err, ENOMEM, "commit")
			       : 0;
	}
	for (size_t i = 0; w[i]; i++) {
		eq = strchr(w[i], '=');
		if (!eq || eq == w[i])
			return berr_invalid(err, "%s names \"%s\", not key=value", inst, w[i]);
		if (set_kv(into, w[i], (size_t)(eq - w[i]), eq + 1) < 0)
			return berr_set(err, ENOMEM, "commit");
	}
	return 0;
}

static int expose(const char *arg, struct run *r, struct berr *err)
{
	cleanup_strv char **w = words(arg);

	if (!w)
		return berr_set(err, ENOMEM, "commit");
	for (size_t i = 0; w[i]; i++) {
		char port[64], *end;
		long n = strtol(w[i], &end, 10);

		if (end == w[i] || n < 1 || n > 65535 ||
		    (*end && strcmp(end, "/tcp") && strcmp(end, "/udp") && strcmp(end, "/sctp")))
			return berr_invalid(err, "EXPOSE: invalid port \"%s\"", w[i]);
		snprintf(port, sizeof(port), "%ld%s", n, *end ? end : "/tcp");
		if (push_unique(&r->ports, port) < 0)
			return berr_set(err, ENOMEM, "commit");
	}
	return 0;
}

static int volume(const char *arg, struct run *r, struct berr *err)
{
	bool json;
	char **v = NULL;
	int ret = exec_form(arg, &v, &json, err);

	if (ret < 0)
		return ret;
	if (!json)
		v = words(arg);
	if (!v)
		return berr_set(err, ENOMEM, "commit");
	for (size_t i = 0; ret == 0 && v[i]; i++)
		if (push_unique(&r->volumes, v[i]) < 0)
			ret = berr_set(err, ENOMEM, "commit");
	strv_free(v);
	return ret;
}

static int set_str(char **field, const char *arg, const char *inst, struct berr *err)
{
	if (!*arg)
		return berr_invalid(err, "%s requires an argument", inst);
	free(*field);
	*field = strdup(arg);
	return *field ? 0 : berr_set(err, ENOMEM, "commit");
}

/* One instruction line. */
static int apply_line(const char *line, struct run *r, struct berr *err)
{
	char inst[16];
	size_t n = 0;
	const char *arg;
	cleanup_free char *wd = NULL;

	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	while (line[n] && !isspace((unsigned char)line[n]) && n < sizeof(inst) - 1) {
		inst[n] = (char)toupper((unsigned char)line[n]);
		n++;
	}
	inst[n] = '\0';
	arg = line + n;
	while (isspace((unsigned char)*arg))
		arg++;
	if (!strcmp(inst, "CMD")) {
		r->cmd_changed = true;
		return command(arg, &r->cmd, err);
	}
	if (!strcmp(inst, "ENTRYPOINT")) {
		/* As the builder: a new entrypoint drops the inherited
		 * command unless a CMD came with it. */
		if (!r->cmd_changed) {
			strv_free(r->cmd);
			r->cmd = NULL;
		}
		return command(arg, &r->entrypoint, err);
	}
	if (!strcmp(inst, "ENV"))
		return pairs("ENV", arg, &r->env, true, err);
	if (!strcmp(inst, "LABEL"))
		return pairs("LABEL", arg, &r->labels, false, err);
	if (!strcmp(inst, "EXPOSE"))
		return expose(arg, r, err);
	if (!strcmp(inst, "VOLUME"))
		return volume(arg, r, err);
	if (!strcmp(inst, "USER"))
		return set_str(&r->user, arg, "USER", err);
	if (!strcmp(inst, "STOPSIGNAL"))
		return set_str(&r->stop_signal, arg, "STOPSIGNAL", err);
	if (!strcmp(inst, "WORKDIR")) {
		/* Relative to the one before, as in a Dockerfile. */
		if (*arg && *arg != '/' &&
		    asprintf(&wd, "%s/%s", r->workdir && *r->workdir ? r->workdir : "", arg) < 0)
			return berr_set(err, ENOMEM, "commit");
		return set_str(&r->workdir, wd ? wd : arg, "WORKDIR", err);
	}
	if (!strcmp(inst, "ONBUILD")) {
		if (!*arg)
			return berr_invalid(err, "ONBUILD requires an instruction");
		return strv_push(&r->onbuild, arg) < 0 ? berr_set(err, ENOMEM, "commit") : 0;
	}
	return berr_invalid(err, "%s is not a valid change command", inst);
}

static int run_json(const struct run *r, char **out, struct berr *err)
{
	cleanup_jw struct jw *w = jw_new(false);
	size_t len;

	jw_map_open(w);
	jw_kstr(w, "User", r->user ? r->user : "");
	jw_kset(w, "ExposedPorts", r->ports);
	jw_kstrv(w, "Env", r->env);
	jw_kstrv(w, "Cmd", r->cmd);
	jw_kset(w, "Volumes", r->volumes);
	jw_kstr(w, "WorkingDir", r->workdir ? r->workdir : "");
	jw_kstrv(w, "Entrypoint", r->entrypoint);
	jw_kstrv(w, "OnBuild", r->onbuild && r->onbuild[0] ? r->onbuild : NULL);
	if (r->labels && r->labels[0]) {
		jw_kv_map(w, "Labels", r->labels);
	} else {
		jw_key(w, "Labels");
		jw_null(w);
	}
	if (r->stop_signal && *r->stop_signal)
		jw_kstr(w, "StopSignal", r->stop_signal);
	jw_map_close(w);
	return jw_finish(w, out, &len, err);
}

int daemon_commit_config(const struct daemon_spec *s, const struct spec_image_run *img,
			 char *const *changes, char **json, struct berr *err)
{
	struct run r = { 0 };
	int ret = 0;

	r.user = dup_or_null(s->user);
	r.workdir = dup_or_null(s->workdir);
	r.stop_signal = dup_or_null(s->stop_signal);
	r.env = s->env ? strv_dup(s->env, strv_len(s->env)) : NULL;
	r.cmd = s->cmd ? strv_dup(s->cmd, strv_len(s->cmd)) : NULL;
	r.entrypoint = s->entrypoint && s->entrypoint[0]
			       ? strv_dup(s->entrypoint, strv_len(s->entrypoint))
			       : NULL;
	r.labels = s->labels ? strv_dup(s->labels, strv_len(s->labels)) : NULL;
	if (img) {
		r.ports = img->n_exposed_ports ? dup_list(img->exposed_ports, img->n_exposed_ports)
					       : NULL;
		r.volumes = img->n_volumes ? dup_list(img->volumes, img->n_volumes) : NULL;
		r.onbuild = img->n_onbuild ? dup_list(img->onbuild, img->n_onbuild) : NULL;
	}
	for (size_t i = 0; ret == 0 && changes && changes[i]; i++) {
		cleanup_free char *copy = strdup(changes[i]);
		char *save = NULL;

		if (!copy) {
			ret = berr_set(err, ENOMEM, "commit");
			break;
		}
		/* A change may hold several lines, as a Dockerfile does. */
		for (char *line = strtok_r(copy, "\n", &save); ret == 0 && line;
		     line = strtok_r(NULL, "\n", &save))
			ret = apply_line(line, &r, err);
	}
	if (ret == 0)
		ret = run_json(&r, json, err);
	run_free(&r);
	return ret;
}

/* "entrypoint cmd", what docker history shows for a commit. */
static char *created_by(const struct daemon_spec *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; s->entrypoint && s->entrypoint[i]; i++)
		fprintf(f, "%s%s", len || i ? " " : "", s->entrypoint[i]);
	fflush(f);
	for (size_t i = 0; s->cmd && s->cmd[i]; i++)
		fprintf(f, "%s%s", len || i ? " " : "", s->cmd[i]);
	fclose(f);
	return out;
}

static int run_helper(struct daemon *d, const char *const *argv, char *id, size_t id_size,
		      struct berr *err)
{
	struct daemon_archive a;
	char buf[256];
	size_t len = 0;
	ssize_t n;
	int ret = daemon_archive_spawn(d->o.unpack_path, argv, -1, &a, err);

	if (ret < 0)
		return ret;
	while (len < sizeof(buf) - 1 &&
	       ((n = read(a.fd, buf + len, sizeof(buf) - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	buf[len] = '\0';
	ret = daemon_archive_end(&a, err);
	if (ret < 0)
		return ret;
	if (strncmp(buf, "committed ", 10) != 0)
		return berr_fail(err, EIO, "commit: the helper named no image");
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(id, id_size, "%s", buf + 10);
	return 0;
}

int daemon_commit(struct daemon *d, const char *ref, const struct daemon_commit *o,
		  char *id, size_t id_size, struct berr *err)
{
	struct daemon_container *c;
	struct spec_image_config *img = NULL;
	cleanup_free char *upper = NULL, *pjson = NULL, *run = NULL, *cfg_file = NULL,
			  *by = NULL;
	const char *argv[24];
	struct berr ignored;
	bool paused = false, running;
	size_t plen, k = 0;
	int ret;

	ret = daemon_get(d, ref, &c, err);
	if (ret < 0)
		return ret;
	upper = daemon_dir(d, c->id, "upper");
	ret = image_store_config(d->o.data_root, c->spec.image_id, &pjson, &plen, err);
	if (ret == 0)
		ret = spec_image_config_parse(pjson, plen, &img, err);
	daemon_lock(d);
	if (ret == 0)
		ret = daemon_commit_config(&c->spec, &img->run, o->changes, &run, err);
	by = created_by(&c->spec);
	running = c->status == DS_RUNNING;
	daemon_unlock(d);
	spec_image_config_free(img);
	if (ret == 0 && (!upper || !by))
		ret = berr_set(err, ENOMEM, "commit");
	if (ret == 0 && asprintf(&cfg_file, "%s/tmp/commit-config-%s.json", d->o.data_root,
				 c->id) < 0) {
		cfg_file = NULL;
		ret = berr_set(err, ENOMEM, "commit");
	}
	if (ret == 0)
		ret = fsutil_write_atomic(cfg_file, run, strlen(run), 0600, err);
	if (ret == 0 && o->pause && running) {
		/* A frozen container writes nothing while its layer is read. */
		ret = daemon_pause(d, c->id, err);
		paused = ret == 0;
	}
	if (ret == 0) {
		argv[k++] = "berthd-unpack";
		argv[k++] = "commit";
		argv[k++] = "--data-root";
		argv[k++] = d->o.data_root;
		argv[k++] = "--upper";
		argv[k++] = upper;
		argv[k++] = "--parent";
		argv[k++] = c->spec.image_id;
		argv[k++] = "--file";
		argv[k++] = cfg_file;
		argv[k++] = "--created-by";
		argv[k++] = by;
		if (o->tag) {
			argv[k++] = "--repo";
			argv[k++] = o->tag;
		}
		if (o->comment) {
			argv[k++] = "--message";
			argv[k++] = o->comment;
		}
		if (o->author) {
			argv[k++] = "--author";
			argv[k++] = o->author;
		}
		argv[k] = NULL;
		ret = run_helper(d, argv, id, id_size, err);
	}
	if (paused)
		daemon_unpause(d, c->id, &ignored);
	if (cfg_file)
		unlink(cfg_file);
	if (ret == 0) {
		/* Attributes as a container's other events carry them. */
		daemon_lock(d);
		daemon_event_locked(d, c, "commit", NULL);
		daemon_unlock(d);
	}
	daemon_put(d, c);
	return ret;
}
