{{/*
Name of the chart, or nameOverride.
*/}}
{{- define "a2a-registry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: fullnameOverride, or the release name (with the chart name unless the
release name already holds it), cut to 63 characters for DNS names. Leaves room for the "-worker"
and "-api" suffixes (at most 7 characters) within 63.
*/}}
{{- define "a2a-registry.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 56 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 56 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 56 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "a2a-registry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "a2a-registry.labels" -}}
helm.sh/chart: {{ include "a2a-registry.chart" . }}
{{ include "a2a-registry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select this release's pods (with a component label to tell api from worker).
*/}}
{{- define "a2a-registry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "a2a-registry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of one component's objects. Call with (dict "context" $ "component" "api").
*/}}
{{- define "a2a-registry.componentLabels" -}}
{{ include "a2a-registry.labels" .context }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Selector labels of one component's pods. Call with (dict "context" $ "component" "api").
*/}}
{{- define "a2a-registry.componentSelectorLabels" -}}
{{ include "a2a-registry.selectorLabels" .context }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Image reference: repository:tag, the tag defaulting to the chart's appVersion; with image.digest,
repository@digest (repository:tag@digest when a tag is set too: the digest decides what is pulled).
*/}}
{{- define "a2a-registry.image" -}}
{{- $image := .Values.image }}
{{- if $image.digest }}
{{- if not (regexMatch "^sha256:[a-f0-9]{64}$" $image.digest) }}
{{- fail (printf "image.digest must be sha256: followed by 64 hex digits, got %q" $image.digest) }}
{{- end }}
{{- if $image.tag }}
{{- printf "%s:%s@%s" $image.repository $image.tag $image.digest }}
{{- else }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- end }}
{{- else }}
{{- printf "%s:%s" $image.repository ($image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
Name of the pods' ServiceAccount: serviceAccount.name, else the full name when the chart creates it,
else the namespace's default account.
*/}}
{{- define "a2a-registry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "a2a-registry.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the Secret this chart creates for redis.url and auth.apiKeys.
*/}}
{{- define "a2a-registry.secretName" -}}
{{- include "a2a-registry.fullname" . }}
{{- end }}

{{/*
Whether the chart creates that Secret ("true" or empty).
*/}}
{{- define "a2a-registry.createsSecret" -}}
{{- if or .Values.redis.url .Values.auth.apiKeys }}true{{ end }}
{{- end }}

{{/*
PUBLIC_URL: config.PUBLIC_URL, else the first Ingress host (https when a TLS entry lists it), else empty.
*/}}
{{- define "a2a-registry.publicUrl" -}}
{{- if .Values.config.PUBLIC_URL }}
{{- .Values.config.PUBLIC_URL }}
{{- else if .Values.ingress.enabled }}
{{- $host := "" }}
{{- with .Values.ingress.hosts }}{{ $host = (first .).host }}{{ end }}
{{- if $host }}
{{- $scheme := "http" }}
{{- range .Values.ingress.tls }}{{ if has $host .hosts }}{{ $scheme = "https" }}{{ end }}{{ end }}
{{- printf "%s://%s" $scheme $host }}
{{- end }}
{{- end }}
{{- end }}

{{/*
REDIS_URL (and REDIS_PASSWORD when it is needed), or the Sentinel or Cluster settings, as container
env entries; fails when no Redis is set, or more than one way is.
*/}}
{{- define "a2a-registry.redisEnv" -}}
{{- $redis := .Values.redis }}
{{- $ways := 0 }}
{{- range (list (or $redis.url $redis.existingSecretUrlKey $redis.host) $redis.sentinel.hosts $redis.cluster.nodes) }}{{ if . }}{{ $ways = add1 $ways }}{{ end }}{{ end }}
{{- if gt $ways 1 }}
{{- fail "set only one of: redis.url / redis.existingSecretUrlKey / redis.host (one server), redis.sentinel.hosts (Sentinel), redis.cluster.nodes (Cluster)" }}
{{- end }}
{{- if $redis.url }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "a2a-registry.secretName" . }}
      key: redis-url
{{- else if and $redis.existingSecret $redis.existingSecretUrlKey }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $redis.existingSecret }}
      key: {{ $redis.existingSecretUrlKey }}
{{- else if $redis.host }}
{{- $scheme := ternary "rediss" "redis" $redis.tls }}
{{- $hostPort := printf "%s:%d/%d" $redis.host (int $redis.port) (int $redis.db) }}
{{- if $redis.existingSecretPasswordKey }}
{{- if not $redis.existingSecret }}
{{- fail "redis.existingSecretPasswordKey needs redis.existingSecret (the Secret that holds the password)" }}
{{- end }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $redis.existingSecret }}
      key: {{ $redis.existingSecretPasswordKey }}
- name: REDIS_URL
  value: {{ printf "%s://%s:$(REDIS_PASSWORD)@%s" $scheme $redis.username $hostPort | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ printf "%s://%s%s" $scheme (ternary (printf "%s@" $redis.username) "" (ne $redis.username "")) $hostPort | quote }}
{{- end }}
{{- else if or $redis.sentinel.hosts $redis.cluster.nodes }}
{{- if $redis.sentinel.hosts }}
{{- if not $redis.sentinel.masterName }}
{{- fail "redis.sentinel.hosts needs redis.sentinel.masterName (the name the Sentinels monitor the primary under)" }}
{{- end }}
- name: REDIS_SENTINELS
  value: {{ $redis.sentinel.hosts | quote }}
- name: REDIS_SENTINEL_MASTER
  value: {{ $redis.sentinel.masterName | quote }}
{{- with $redis.sentinel.existingSecretPasswordKey }}
{{- if not $redis.existingSecret }}
{{- fail "redis.sentinel.existingSecretPasswordKey needs redis.existingSecret (the Secret that holds the password)" }}
{{- end }}
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $redis.existingSecret }}
      key: {{ . }}
{{- end }}
{{- else }}
- name: REDIS_CLUSTER_NODES
  value: {{ $redis.cluster.nodes | quote }}
{{- end }}
{{- with $redis.username }}
- name: REDIS_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- if $redis.tls }}
- name: REDIS_TLS
  value: "true"
{{- end }}
{{- if $redis.existingSecretPasswordKey }}
{{- if not $redis.existingSecret }}
{{- fail "redis.existingSecretPasswordKey needs redis.existingSecret (the Secret that holds the password)" }}
{{- end }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $redis.existingSecret }}
      key: {{ $redis.existingSecretPasswordKey }}
{{- end }}
{{- else }}
{{- fail "a2a-registry needs an external Redis: set redis.url, redis.existingSecret with redis.existingSecretUrlKey, redis.host, redis.sentinel.hosts or redis.cluster.nodes (see values.yaml)" }}
{{- end }}
{{- end }}

{{/*
API_KEYS as a container env entry when config.AUTH_MODE is apikey; fails when no keys are set.
*/}}
{{- define "a2a-registry.authEnv" -}}
{{- if eq .Values.config.AUTH_MODE "apikey" }}
{{- if .Values.auth.apiKeys }}
- name: API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "a2a-registry.secretName" . }}
      key: api-keys
{{- else if and .Values.auth.existingSecret .Values.auth.existingSecretApiKeysKey }}
- name: API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.auth.existingSecret }}
      key: {{ .Values.auth.existingSecretApiKeysKey }}
{{- else }}
{{- fail "config.AUTH_MODE=apikey needs auth.apiKeys or auth.existingSecret with auth.existingSecretApiKeysKey (or set config.AUTH_MODE to jwt, or to none to let anyone write)" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Refuses a termination grace period that does not cover the preStop sleep plus SHUTDOWN_TIMEOUT_MS.
*/}}
{{- define "a2a-registry.checkGracePeriod" -}}
{{- $shutdownSeconds := div (add (atoi (.Values.config.SHUTDOWN_TIMEOUT_MS | default "10000")) 999) 1000 }}
{{- $needed := add .Values.preStopSleepSeconds $shutdownSeconds }}
{{- if lt (int .Values.terminationGracePeriodSeconds) (int (add $needed 1)) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds + SHUTDOWN_TIMEOUT_MS in seconds (%d)" (int .Values.terminationGracePeriodSeconds) (int $needed)) }}
{{- end }}
{{- end }}

{{/*
Pod template of one component. Call with (dict "context" $ "component" "api" "resources" .Values.api.resources).
*/}}
{{- define "a2a-registry.podTemplate" -}}
{{- $root := .context }}
{{- $component := .component }}
{{- include "a2a-registry.checkGracePeriod" $root -}}
metadata:
  labels:
    {{- include "a2a-registry.componentLabels" (dict "context" $root "component" $component) | nindent 4 }}
    {{- with $root.Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- if include "a2a-registry.createsSecret" $root }}
    checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
    {{- end }}
    {{- with $root.Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "a2a-registry.serviceAccountName" $root }}
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  {{- with $root.Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    {{- $defaults := dict "labelSelector" (dict "matchLabels" (include "a2a-registry.componentSelectorLabels" (dict "context" $root "component" $component) | fromYaml)) "matchLabelKeys" (list "pod-template-hash") }}
    - {{- toYaml (merge (deepCopy .) $defaults) | nindent 6 }}
    {{- end }}
  {{- end }}
  {{- with $root.Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: registry
      image: {{ include "a2a-registry.image" $root | quote }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: {{ $root.Values.containerPort }}
          protocol: TCP
        - name: metrics
          containerPort: {{ $root.Values.metrics.port }}
          protocol: TCP
      envFrom:
        - configMapRef:
            name: {{ include "a2a-registry.fullname" $root }}
      env:
        - name: ROLE
          value: {{ $component }}
        {{- include "a2a-registry.redisEnv" $root | trim | nindent 8 }}
        {{- with include "a2a-registry.authEnv" $root | trim }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with $root.Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      startupProbe:
        httpGet:
          path: /ready
          port: http
        {{- toYaml $root.Values.probes.startup | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /ready
          port: http
        {{- toYaml $root.Values.probes.readiness | nindent 8 }}
      livenessProbe:
        httpGet:
          path: /health
          port: http
        {{- toYaml $root.Values.probes.liveness | nindent 8 }}
      lifecycle:
        preStop:
          exec:
            command: ["sleep", {{ $root.Values.preStopSleepSeconds | toString | quote }}]
      resources:
        {{- toYaml .resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- with $root.Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    {{- with $root.Values.sidecars }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- with $root.Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
