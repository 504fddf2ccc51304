package explain

import "sort"

// Code is a stable identifier of one failure mode. Codes never change
// meaning once released; scripts and tests match on them, not on words.
// They read like Kubernetes' own condition reasons.
type Code string

// CodeInfo documents a code. docs/codes.md is generated from Codes.
type CodeInfo struct {
	Code     Code
	Area     string // scheduling, image, config, runtime, crash, probe, node, lifecycle, workload, statefulset, daemonset, job, cronjob, access
	Severity Severity
	// Permanent causes do not heal by waiting: --wait stops on them.
	Permanent bool
	// Summary is what the code means, one line, for the docs table.
	Summary string
}

// The codes. One failure mode = one rule = one code = one fixture = one test.
const (
	// Pod scheduling.
	CodeUnschedulable        Code = "Unschedulable"         // FailedScheduling: no node fits (reasons with counts)
	CodeInsufficientResource Code = "InsufficientResources" // requests exceed what any node has free
	CodeUntoleratedTaint     Code = "UntoleratedTaint"      // nodes tainted, pod has no toleration
	CodeNodeSelectorMismatch Code = "NodeSelectorMismatch"  // nodeSelector/affinity matches no node
	CodePVCNotFound          Code = "PVCNotFound"           // pod references a claim that does not exist
	CodePVCUnbound           Code = "PVCUnbound"            // claim Pending
	CodeVolumeNodeAffinity   Code = "VolumeNodeAffinityConflict"
	CodePodAffinity          Code = "PodAffinityConflict" // inter-pod (anti-)affinity rules out the nodes
	CodeSchedulingGated      Code = "SchedulingGated"
	CodeNotScheduledYet      Code = "NotScheduled"     // Pending, no scheduler verdict: wrong schedulerName or events expired
	CodeNoNodes              Code = "NoNodesAvailable" // no nodes, or all cordoned

	// Images.
	CodeImageNotFound    Code = "ImageNotFound"
	CodeImageAuth        Code = "ImagePullUnauthorized"
	CodeImageRateLimit   Code = "ImagePullRateLimited"
	CodeImageNetwork     Code = "ImagePullNetworkError"
	CodeImagePlatform    Code = "ImagePlatformMismatch"
	CodeImagePullBackOff Code = "ImagePullBackOff" // pull fails, message unclassified or expired
	CodeInvalidImageName Code = "InvalidImageName"
	CodeImageNeverPull   Code = "ErrImageNeverPull"

	// Container configuration and runtime.
	CodeConfigMapMissing   Code = "ConfigMapNotFound"
	CodeSecretMissing      Code = "SecretNotFound"
	CodeConfigKeyMissing   Code = "ConfigKeyNotFound"
	CodeRunAsNonRoot       Code = "RunAsNonRootViolation"
	CodeCreateConfigError  Code = "CreateContainerConfigError" // other config errors
	CodeExecNotFound       Code = "ExecutableNotFound"
	CodeExecPermission     Code = "ExecPermissionDenied"
	CodeExecFormat         Code = "ExecFormatError"
	CodeRunContainerError  Code = "RunContainerError" // other runtime refusals
	CodeMountFailed        Code = "VolumeMountFailed"
	CodeAttachFailed       Code = "VolumeAttachFailed"
	CodeMultiAttach        Code = "VolumeMultiAttach"
	CodeSandboxFailed      Code = "PodSandboxFailed"
	CodeContainerCreating  Code = "ContainerCreatingSlow" // stuck creating with no clearer event
	CodeInitContainerBlock Code = "InitContainerBlocked"  // an init container has not completed

	// Containers that start and die.
	CodeCrashLoop        Code = "CrashLoopBackOff"
	CodeOOMKilled        Code = "OOMKilled"
	CodeExitedCleanly    Code = "ContainerExitedZero" // exit 0 under restartPolicy Always
	CodeLivenessFailed   Code = "LivenessProbeFailed"
	CodeFlapping         Code = "Flapping" // Ready but restarting
	CodeContainerUnknown Code = "ContainerStatusUnknown"
	CodeTerminatedError  Code = "ContainerTerminated" // terminated with an error, not (yet) restarting

	// Running but not Ready.
	CodeReadinessFailed Code = "ReadinessProbeFailed"
	CodeStartupFailed   Code = "StartupProbeFailed"
	CodeReadinessGate   Code = "ReadinessGatePending"
	CodeNotReadyNoCause Code = "ContainerNotReady" // not ready, no probe event seen (expired?)

	// Ended or going away.
	CodeEvicted           Code = "Evicted"
	CodeAdmissionRejected Code = "KubeletAdmissionRejected" // OutOfcpu, OutOfmemory, OutOfpods, NodeAffinity, UnexpectedAdmissionError
	CodeSysctlForbidden   Code = "SysctlForbidden"
	CodePreempted         Code = "Preempted"
	CodeNodeShutdown      Code = "NodeShutdown"
	CodeStuckTerminating  Code = "StuckTerminating"
	CodeTerminating       Code = "Terminating" // being deleted, within its grace period
	CodeNodeNotReady      Code = "NodeNotReady"
	CodeNodePressure      Code = "NodePressure"
	CodeNodeDiskFull      Code = "NodeDiskFull"             // no space left on device while pulling or unpacking
	CodeCompletedUnexpect Code = "CompletedUnderController" // Succeeded under a controller expecting long-running pods
	CodePodFailed         Code = "PodFailed"                // phase Failed, other reason
	CodeStarting          Code = "Starting"                 // just created, normal start: Info, not a failure
	CodeEventsExpired     Code = "EventsMissing"            // reasoning from status alone

	// Workloads.
	CodeQuotaExceeded       Code = "QuotaExceeded"
	CodeQuotaMissingLimits  Code = "QuotaRequiresLimits" // must specify limits.cpu for: app
	CodeLimitRange          Code = "LimitRangeViolation"
	CodePodSecurity         Code = "PodSecurityViolation"
	CodeServiceAccount      Code = "ServiceAccountNotFound"
	CodeWebhookDenied       Code = "AdmissionWebhookDenied"
	CodeWebhookUnreachable  Code = "AdmissionWebhookUnreachable"
	CodeFailedCreate        Code = "FailedCreate" // other FailedCreate
	CodeProgressDeadline    Code = "ProgressDeadlineExceeded"
	CodePaused              Code = "RolloutPaused"
	CodeRolloutProgressing  Code = "RolloutInProgress" // healthy rollout: Info
	CodeRolloutStuck        Code = "RolloutStuck"      // new revision failing while old serves
	CodeMinReadySeconds     Code = "NotYetAvailable"   // Ready, minReadySeconds not elapsed
	CodeScaledToZero        Code = "ScaledToZero"
	CodeReplicasMissing     Code = "ReplicasMissing"     // fewer pods than desired, no FailedCreate seen
	CodeReplicasUnavailable Code = "ReplicasUnavailable" // replicas not available yet, nothing failing
	CodeLeftoverPods        Code = "LeftoverPods"        // terminal pods of an owner, already replaced
	CodeSTSOrderedBlocked   Code = "OrderedStartBlocked"
	CodeSTSPartition        Code = "PartitionHolding"
	CodeSTSOnDelete         Code = "OnDeleteUpdatePending"
	CodeSTSRevisionPending  Code = "UpdateRevisionPending" // currentRevision != updateRevision
	CodeSTSBrokenPodTrap    Code = "BrokenPodNotReplaced"
	CodeSTSPVCPending       Code = "VolumeClaimTemplatePending"
	CodeAccessForbidden     Code = "AccessForbidden" // something could not be read: the verdict is Unknown

	// DaemonSets.
	CodeDSNodeFailing  Code = "DaemonPodFailingOnNode" // its pods fail on some nodes only
	CodeDSMisscheduled Code = "DaemonSetMisscheduled"  // pods on nodes they should no longer run on

	// Jobs.
	CodeJobBackoffLimit     Code = "BackoffLimitExceeded"
	CodeJobDeadline         Code = "JobDeadlineExceeded"
	CodeJobPodFailurePolicy Code = "JobPodFailurePolicy"
	CodeJobMaxFailedIndexes Code = "MaxFailedIndexesExceeded"
	CodeJobFailed           Code = "JobFailed"    // Failed for another reason (FailedIndexes, ...)
	CodeJobSuspended        Code = "JobSuspended" // spec.suspend: not running, not failed
	CodeJobRunning          Code = "JobRunning"   // active and healthy: Info
	CodeJobRetrying         Code = "JobRetrying"  // pods failed, counted against backoffLimit

	// CronJobs.
	CodeCronLastRunFailed   Code = "CronJobLastRunFailed"
	CodeCronSuspended       Code = "CronJobSuspended"
	CodeCronInvalidSchedule Code = "CronJobInvalidSchedule"    // UnparseableSchedule, InvalidSchedule, UnknownTimeZone
	CodeCronForbidBlocked   Code = "CronJobConcurrencyBlocked" // JobAlreadyActive under concurrencyPolicy Forbid
	CodeCronMissedSchedule  Code = "CronJobMissedSchedule"     // MissSchedule, TooManyMissedTimes
)

// Codes is the table of every code. docs/codes.md is generated from it
// (go run ./hack/gendocs) and CI checks the two agree.
var Codes = []CodeInfo{
	{CodeUnschedulable, "scheduling", SeverityError, false, "The scheduler found no node for the pod; the reasons are listed with their node counts."},
	{CodeInsufficientResource, "scheduling", SeverityError, false, "The pod requests more CPU, memory or pods than any node has free."},
	{CodeUntoleratedTaint, "scheduling", SeverityError, false, "Nodes carry taints the pod does not tolerate."},
	{CodeNodeSelectorMismatch, "scheduling", SeverityError, false, "The pod's nodeSelector or node affinity matches no node."},
	{CodePVCNotFound, "scheduling", SeverityError, true, "The pod uses a PersistentVolumeClaim that does not exist."},
	{CodePVCUnbound, "scheduling", SeverityError, false, "A PersistentVolumeClaim the pod uses is not bound."},
	{CodeVolumeNodeAffinity, "scheduling", SeverityError, false, "The pod's volumes are tied to nodes it cannot run on."},
	{CodePodAffinity, "scheduling", SeverityError, false, "Inter-pod affinity or anti-affinity (the pod's own, or running pods') rules out the nodes the pod may use."},
	{CodeSchedulingGated, "scheduling", SeverityWarning, false, "The pod waits on scheduling gates that something must remove."},
	{CodeNotScheduledYet, "scheduling", SeverityWarning, false, "Pending with no scheduler verdict: a wrong schedulerName, or events expired."},
	{CodeNoNodes, "scheduling", SeverityError, false, "No node can take pods: none exist or all are cordoned."},

	{CodeImageNotFound, "image", SeverityError, true, "The image or tag does not exist in the registry (Docker Hub: or is private and the pod has no credentials)."},
	{CodeImageAuth, "image", SeverityError, true, "The registry refused the pull: credentials or imagePullSecrets are missing or wrong."},
	{CodeImageRateLimit, "image", SeverityError, false, "The registry rate-limited the pull."},
	{CodeImageNetwork, "image", SeverityError, false, "The node could not reach the registry (DNS, timeout, TLS)."},
	{CodeImagePlatform, "image", SeverityError, true, "The image has no variant for the node's OS/architecture."},
	{CodeImagePullBackOff, "image", SeverityError, false, "The image cannot be pulled; the kubelet backs off between tries."},
	{CodeInvalidImageName, "image", SeverityError, true, "The image reference is not a valid name."},
	{CodeImageNeverPull, "image", SeverityError, true, "imagePullPolicy is Never and the image is not on the node."},

	{CodeConfigMapMissing, "config", SeverityError, true, "A ConfigMap the pod needs (by env or by volume) does not exist."},
	{CodeSecretMissing, "config", SeverityError, true, "A Secret the pod needs (by env or by volume) does not exist."},
	{CodeConfigKeyMissing, "config", SeverityError, true, "A key the container needs is missing from its ConfigMap or Secret."},
	{CodeRunAsNonRoot, "config", SeverityError, true, "runAsNonRoot is set but the image runs as root."},
	{CodeCreateConfigError, "config", SeverityError, true, "The kubelet could not build the container's configuration."},
	{CodeExecNotFound, "runtime", SeverityError, true, "The container's command does not exist in the image."},
	{CodeExecPermission, "runtime", SeverityError, true, "The container's command is not executable (permission denied)."},
	{CodeExecFormat, "runtime", SeverityError, true, "The container's binary is for another architecture (exec format error)."},
	{CodeRunContainerError, "runtime", SeverityError, false, "The container runtime refused to start the container."},
	{CodeMountFailed, "volume", SeverityError, false, "A volume could not be mounted (a missing ConfigMap or Secret is ConfigMapNotFound / SecretNotFound)."},
	{CodeAttachFailed, "volume", SeverityError, false, "A volume could not be attached to the node."},
	{CodeMultiAttach, "volume", SeverityError, false, "A ReadWriteOnce volume is still attached to another node."},
	{CodeSandboxFailed, "runtime", SeverityError, false, "The node could not create the pod sandbox (CNI/network plugin)."},
	{CodeContainerCreating, "runtime", SeverityWarning, false, "The container has been creating for long with no clearer event."},
	{CodeInitContainerBlock, "runtime", SeverityError, false, "An init container has not completed, so the app containers cannot start."},

	{CodeCrashLoop, "crash", SeverityError, false, "The container keeps exiting; the kubelet restarts it with growing back-off."},
	{CodeOOMKilled, "crash", SeverityError, false, "The container used more memory than its limit and was killed."},
	{CodeExitedCleanly, "crash", SeverityError, false, "The process exited with 0 but restartPolicy Always expects it to keep running."},
	{CodeLivenessFailed, "probe", SeverityError, false, "The liveness probe fails, so the kubelet kills and restarts the container."},
	{CodeFlapping, "crash", SeverityWarning, false, "Ready now, but a container restarts: often (10 or more, or weekly or faster) or within the last hour."},
	{CodeContainerUnknown, "node", SeverityError, false, "The node lost track of the container (ContainerStatusUnknown)."},
	{CodeTerminatedError, "crash", SeverityError, false, "The container terminated with an error."},

	{CodeReadinessFailed, "probe", SeverityError, false, "The readiness probe fails, so the pod receives no traffic."},
	{CodeStartupFailed, "probe", SeverityError, false, "The startup probe has not succeeded within its budget (failureThreshold × periodSeconds); the kubelet restarts the container. Within the budget it is Starting."},
	{CodeReadinessGate, "probe", SeverityError, false, "A readiness gate condition is not True."},
	{CodeNotReadyNoCause, "probe", SeverityError, false, "A container runs but is not ready, and no probe event explains it (events may have expired)."},

	{CodeEvicted, "lifecycle", SeverityError, false, "The kubelet evicted the pod because the node ran short of a resource."},
	{CodeAdmissionRejected, "lifecycle", SeverityError, false, "The kubelet refused to run the pod (OutOfcpu, OutOfmemory, OutOfpods, NodeAffinity...)."},
	{CodeSysctlForbidden, "lifecycle", SeverityError, true, "The pod sets an unsafe sysctl the kubelet does not allow."},
	{CodePreempted, "lifecycle", SeverityWarning, false, "The pod was preempted to make room for a higher-priority pod."},
	{CodeNodeShutdown, "lifecycle", SeverityWarning, false, "The pod was terminated by a node shutdown."},
	{CodeStuckTerminating, "lifecycle", SeverityError, false, "The pod is being deleted past its grace period (finalizers or an unreachable node)."},
	{CodeTerminating, "lifecycle", SeverityInfo, false, "The pod is being deleted and is still within its grace period."},
	{CodeNodeNotReady, "node", SeverityError, false, "The pod's node is NotReady or Unknown."},
	{CodeNodeDiskFull, "node", SeverityError, false, "The node's disk is full (no space left on device): images cannot be unpacked there."},
	{CodeNodePressure, "node", SeverityWarning, false, "The pod's node reports memory, disk or PID pressure."},
	{CodeCompletedUnexpect, "lifecycle", SeverityError, false, "The pod completed, but its controller expects a long-running process."},
	{CodePodFailed, "lifecycle", SeverityError, false, "The pod failed."},
	{CodeStarting, "lifecycle", SeverityInfo, false, "The pod is starting normally."},
	{CodeEventsExpired, "access", SeverityInfo, false, "No events were found: they may have expired (1h by default); reasoning from status alone."},

	{CodeQuotaExceeded, "workload", SeverityError, false, "Pods cannot be created: a ResourceQuota is exhausted."},
	{CodeQuotaMissingLimits, "workload", SeverityError, true, "A ResourceQuota requires requests/limits the pod template does not set."},
	{CodeLimitRange, "workload", SeverityError, true, "The pod template violates a LimitRange."},
	{CodePodSecurity, "workload", SeverityError, true, "The pod template violates the namespace's Pod Security level."},
	{CodeServiceAccount, "workload", SeverityError, true, "The pod template names a ServiceAccount that does not exist."},
	{CodeWebhookDenied, "workload", SeverityError, true, "An admission webhook denied the pod."},
	{CodeWebhookUnreachable, "workload", SeverityError, false, "An admission webhook could not be called, and it fails closed."},
	{CodeFailedCreate, "workload", SeverityError, false, "The controller could not create pods."},
	{CodeProgressDeadline, "workload", SeverityError, false, "The rollout made no progress within progressDeadlineSeconds."},
	{CodePaused, "workload", SeverityWarning, false, "The rollout is paused (kubectl rollout resume)."},
	{CodeRolloutProgressing, "workload", SeverityInfo, false, "A rollout is under way and its new pods are becoming Ready: not a failure."},
	{CodeRolloutStuck, "workload", SeverityError, false, "The new revision's pods fail while the old revision still serves."},
	{CodeMinReadySeconds, "workload", SeverityWarning, false, "Pods are Ready but not yet Available (minReadySeconds): they do not serve as replicas until it passes."},
	{CodeScaledToZero, "workload", SeverityInfo, false, "Scaled to zero replicas: Ready by definition."},
	{CodeReplicasMissing, "workload", SeverityError, false, "Fewer pods exist than desired and no FailedCreate explains it."},
	{CodeReplicasUnavailable, "workload", SeverityWarning, false, "Replicas are not available yet and none is failing: they are starting."},
	{CodeLeftoverPods, "workload", SeverityWarning, false, "Failed or completed pods of a workload stay behind after being replaced; they do not affect readiness."},
	{CodeSTSOrderedBlocked, "statefulset", SeverityError, false, "OrderedReady: a pod that is not Ready stops the higher ordinals from being created."},
	{CodeSTSPartition, "statefulset", SeverityInfo, false, "rollingUpdate.partition keeps the ordinals below it on the old revision."},
	{CodeSTSOnDelete, "statefulset", SeverityWarning, false, "updateStrategy OnDelete (a StatefulSet's or a DaemonSet's): pods take the new revision only when deleted by hand."},
	{CodeSTSRevisionPending, "statefulset", SeverityWarning, false, "currentRevision differs from updateRevision: the update has not finished."},
	{CodeSTSBrokenPodTrap, "statefulset", SeverityError, false, "A broken pod keeps the old template; the controller will not replace it until it is deleted."},
	{CodeSTSPVCPending, "statefulset", SeverityError, false, "A PersistentVolumeClaim from volumeClaimTemplates is Pending."},
	{CodeAccessForbidden, "access", SeverityWarning, false, "Something could not be read (RBAC): the answer names what was not checked."},

	{CodeDSNodeFailing, "daemonset", SeverityError, false, "The DaemonSet's pods fail on some nodes only: it names those nodes, the pods' cause and what sets the nodes apart from those where it runs."},
	{CodeDSMisscheduled, "daemonset", SeverityWarning, false, "Pods of the DaemonSet run on nodes they should no longer run on (numberMisscheduled): a changed nodeSelector, affinity, toleration or node label."},

	{CodeJobBackoffLimit, "job", SeverityError, true, "The Job failed: its pods failed more often than backoffLimit allows. The last failed pod's own cause is named."},
	{CodeJobDeadline, "job", SeverityError, true, "The Job failed: it was active longer than activeDeadlineSeconds."},
	{CodeJobPodFailurePolicy, "job", SeverityError, true, "The Job failed: a pod failure matched a FailJob rule of its podFailurePolicy."},
	{CodeJobMaxFailedIndexes, "job", SeverityError, true, "The Indexed Job failed: more indexes failed than maxFailedIndexes allows."},
	{CodeJobFailed, "job", SeverityError, true, "The Job failed (a reason other than the above, e.g. FailedIndexes)."},
	{CodeJobSuspended, "job", SeverityWarning, false, "The Job is suspended (spec.suspend): no pods run until it is resumed. Not finished, not failed."},
	{CodeJobRunning, "job", SeverityInfo, false, "The Job is running and its pods are healthy: not finished, not a failure."},
	{CodeJobRetrying, "job", SeverityWarning, false, "Pods of the running Job failed and were retried; each counts against backoffLimit. The last failed pod's cause is named."},

	{CodeCronLastRunFailed, "cronjob", SeverityError, false, "The CronJob's newest Job failed: it names the Job and, walked down, its cause."},
	{CodeCronSuspended, "cronjob", SeverityInfo, false, "The CronJob is suspended (spec.suspend): no Job is started until it is resumed."},
	{CodeCronInvalidSchedule, "cronjob", SeverityError, true, "The CronJob controller cannot use the schedule or the time zone (UnparseableSchedule, InvalidSchedule, UnknownTimeZone): no Job is ever started."},
	{CodeCronForbidBlocked, "cronjob", SeverityWarning, false, "A scheduled run was skipped: concurrencyPolicy is Forbid and the previous Job is still running."},
	{CodeCronMissedSchedule, "cronjob", SeverityError, false, "Scheduled runs were missed (MissSchedule, TooManyMissedTimes): the controller could not start them within startingDeadlineSeconds. Error while no run has started since; a warning once one has."},
}

var codeIndex = func() map[Code]CodeInfo {
	m := make(map[Code]CodeInfo, len(Codes))
	for _, c := range Codes {
		m[c.Code] = c
	}
	return m
}()

// Info returns the table entry of c.
func Info(c Code) (CodeInfo, bool) {
	i, ok := codeIndex[c]
	return i, ok
}

// SortedCodes returns the table sorted by area then code, for the docs.
func SortedCodes() []CodeInfo {
	out := append([]CodeInfo(nil), Codes...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Area != out[j].Area {
			return out[i].Area < out[j].Area
		}
		return out[i].Code < out[j].Code
	})
	return out
}
