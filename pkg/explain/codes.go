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
	CodeUnschedulable              Code = "Unschedulable"         // FailedScheduling: no node fits (reasons with counts)
	CodeInsufficientResources      Code = "InsufficientResources" // requests exceed what any node has free
	CodeUntoleratedTaint           Code = "UntoleratedTaint"      // nodes tainted, pod has no toleration
	CodeNodeSelectorMismatch       Code = "NodeSelectorMismatch"  // nodeSelector/affinity matches no node
	CodePVCNotFound                Code = "PVCNotFound"           // pod references a claim that does not exist
	CodePVCUnbound                 Code = "PVCUnbound"            // claim Pending
	CodeVolumeNodeAffinityConflict Code = "VolumeNodeAffinityConflict"
	CodePodAffinityConflict        Code = "PodAffinityConflict" // inter-pod (anti-)affinity rules out the nodes
	CodeSchedulingGated            Code = "SchedulingGated"
	CodeNotScheduled               Code = "NotScheduled"     // Pending, no scheduler verdict: wrong schedulerName or events expired
	CodeNoNodesAvailable           Code = "NoNodesAvailable" // no nodes, or all cordoned

	// Images.
	CodeImageNotFound         Code = "ImageNotFound"
	CodeImagePullUnauthorized Code = "ImagePullUnauthorized"
	CodeImagePullRateLimited  Code = "ImagePullRateLimited"
	CodeImagePullNetworkError Code = "ImagePullNetworkError"
	CodeImagePlatformMismatch Code = "ImagePlatformMismatch"
	CodeImagePullBackOff      Code = "ImagePullBackOff" // pull fails, message unclassified or expired
	CodeInvalidImageName      Code = "InvalidImageName"
	CodeErrImageNeverPull     Code = "ErrImageNeverPull"

	// Container configuration and runtime.
	CodeConfigMapNotFound          Code = "ConfigMapNotFound"
	CodeSecretNotFound             Code = "SecretNotFound"
	CodeConfigKeyNotFound          Code = "ConfigKeyNotFound"
	CodeRunAsNonRootViolation      Code = "RunAsNonRootViolation"
	CodeCreateContainerConfigError Code = "CreateContainerConfigError" // other config errors
	CodeExecutableNotFound         Code = "ExecutableNotFound"
	CodeExecPermissionDenied       Code = "ExecPermissionDenied"
	CodeExecFormatError            Code = "ExecFormatError"
	CodeRunContainerError          Code = "RunContainerError" // other runtime refusals
	CodeVolumeMountFailed          Code = "VolumeMountFailed"
	CodeVolumeAttachFailed         Code = "VolumeAttachFailed"
	CodeVolumeMultiAttach          Code = "VolumeMultiAttach"
	CodePodSandboxFailed           Code = "PodSandboxFailed"
	CodeContainerCreatingSlow      Code = "ContainerCreatingSlow" // stuck creating with no clearer event
	CodeInitContainerBlocked       Code = "InitContainerBlocked"  // an init container has not completed

	// Containers that start and die.
	CodeCrashLoopBackOff       Code = "CrashLoopBackOff"
	CodeOOMKilled              Code = "OOMKilled"
	CodeContainerExitedZero    Code = "ContainerExitedZero" // exit 0 under restartPolicy Always
	CodeLivenessProbeFailed    Code = "LivenessProbeFailed"
	CodeFlapping               Code = "Flapping" // Ready but restarting
	CodeContainerStatusUnknown Code = "ContainerStatusUnknown"
	CodeContainerTerminated    Code = "ContainerTerminated" // terminated with an error, not (yet) restarting

	// Running but not Ready.
	CodeReadinessProbeFailed Code = "ReadinessProbeFailed"
	CodeStartupProbeFailed   Code = "StartupProbeFailed"
	CodeReadinessGatePending Code = "ReadinessGatePending"
	CodeContainerNotReady    Code = "ContainerNotReady" // not ready, no probe event seen (expired?)

	// Ended or going away.
	CodeEvicted                  Code = "Evicted"
	CodeKubeletAdmissionRejected Code = "KubeletAdmissionRejected" // OutOfcpu, OutOfmemory, OutOfpods, NodeAffinity, UnexpectedAdmissionError
	CodeSysctlForbidden          Code = "SysctlForbidden"
	CodePreempted                Code = "Preempted"
	CodeNodeShutdown             Code = "NodeShutdown"
	CodeStuckTerminating         Code = "StuckTerminating"
	CodeTerminating              Code = "Terminating" // being deleted, within its grace period
	CodeNodeNotReady             Code = "NodeNotReady"
	CodeNodePressure             Code = "NodePressure"
	CodeNodeDiskFull             Code = "NodeDiskFull"             // no space left on device while pulling or unpacking
	CodeCompletedUnderController Code = "CompletedUnderController" // Succeeded under a controller expecting long-running pods
	CodePodFailed                Code = "PodFailed"                // phase Failed, other reason
	CodeStarting                 Code = "Starting"                 // just created, normal start: Info, not a failure
	CodeEventsMissing            Code = "EventsMissing"            // reasoning from status alone

	// Workloads.
	CodeQuotaExceeded               Code = "QuotaExceeded"
	CodeQuotaRequiresLimits         Code = "QuotaRequiresLimits" // must specify limits.cpu for: app
	CodeLimitRangeViolation         Code = "LimitRangeViolation"
	CodePodSecurityViolation        Code = "PodSecurityViolation"
	CodeServiceAccountNotFound      Code = "ServiceAccountNotFound"
	CodeAdmissionWebhookDenied      Code = "AdmissionWebhookDenied"
	CodeAdmissionWebhookUnreachable Code = "AdmissionWebhookUnreachable"
	CodeFailedCreate                Code = "FailedCreate" // other FailedCreate
	CodeProgressDeadlineExceeded    Code = "ProgressDeadlineExceeded"
	CodeRolloutPaused               Code = "RolloutPaused"
	CodeRolloutInProgress           Code = "RolloutInProgress" // healthy rollout: Info
	CodeRolloutStuck                Code = "RolloutStuck"      // new revision failing while old serves
	CodeNotYetAvailable             Code = "NotYetAvailable"   // Ready, minReadySeconds not elapsed
	CodeScaledToZero                Code = "ScaledToZero"
	CodeReplicasMissing             Code = "ReplicasMissing"     // fewer pods than desired, no FailedCreate seen
	CodeReplicasUnavailable         Code = "ReplicasUnavailable" // replicas not available yet, nothing failing
	CodeLeftoverPods                Code = "LeftoverPods"        // terminal pods of an owner, already replaced
	CodeOrderedStartBlocked         Code = "OrderedStartBlocked"
	CodePartitionHolding            Code = "PartitionHolding"
	CodeOnDeleteUpdatePending       Code = "OnDeleteUpdatePending"
	CodeUpdateRevisionPending       Code = "UpdateRevisionPending" // currentRevision != updateRevision
	CodeBrokenPodNotReplaced        Code = "BrokenPodNotReplaced"
	CodeVolumeClaimTemplatePending  Code = "VolumeClaimTemplatePending"
	CodeAccessForbidden             Code = "AccessForbidden" // something could not be read: the verdict is Unknown

	// DaemonSets.
	CodeDaemonPodFailingOnNode Code = "DaemonPodFailingOnNode" // its pods fail on some nodes only
	CodeDaemonSetMisscheduled  Code = "DaemonSetMisscheduled"  // pods on nodes they should no longer run on

	// Jobs.
	CodeBackoffLimitExceeded     Code = "BackoffLimitExceeded"
	CodeJobDeadlineExceeded      Code = "JobDeadlineExceeded"
	CodeJobPodFailurePolicy      Code = "JobPodFailurePolicy"
	CodeMaxFailedIndexesExceeded Code = "MaxFailedIndexesExceeded"
	CodeJobFailed                Code = "JobFailed"    // Failed for another reason (FailedIndexes, ...)
	CodeJobSuspended             Code = "JobSuspended" // spec.suspend: not running, not failed
	CodeJobRunning               Code = "JobRunning"   // active and healthy: Info
	CodeJobRetrying              Code = "JobRetrying"  // pods failed, counted against backoffLimit

	// CronJobs.
	CodeCronJobLastRunFailed      Code = "CronJobLastRunFailed"
	CodeCronJobSuspended          Code = "CronJobSuspended"
	CodeCronJobInvalidSchedule    Code = "CronJobInvalidSchedule"    // UnparseableSchedule, InvalidSchedule, UnknownTimeZone
	CodeCronJobConcurrencyBlocked Code = "CronJobConcurrencyBlocked" // JobAlreadyActive under concurrencyPolicy Forbid
	CodeCronJobMissedSchedule     Code = "CronJobMissedSchedule"     // MissSchedule, TooManyMissedTimes
)

// Codes is the table of every code. docs/codes.md is generated from it
// (go run ./hack/gendocs) and CI checks the two agree.
var Codes = []CodeInfo{
	{CodeUnschedulable, "scheduling", SeverityError, false, "The scheduler found no node for the pod; the reasons are listed with their node counts."},
	{CodeInsufficientResources, "scheduling", SeverityError, false, "The pod requests more CPU, memory or pods than any node has free."},
	{CodeUntoleratedTaint, "scheduling", SeverityError, false, "Nodes carry taints the pod does not tolerate."},
	{CodeNodeSelectorMismatch, "scheduling", SeverityError, false, "The pod's nodeSelector or node affinity matches no node."},
	{CodePVCNotFound, "scheduling", SeverityError, true, "The pod uses a PersistentVolumeClaim that does not exist."},
	{CodePVCUnbound, "scheduling", SeverityError, false, "A PersistentVolumeClaim the pod uses is not bound."},
	{CodeVolumeNodeAffinityConflict, "scheduling", SeverityError, false, "The pod's volumes are tied to nodes it cannot run on."},
	{CodePodAffinityConflict, "scheduling", SeverityError, false, "Inter-pod affinity or anti-affinity (the pod's own, or running pods') rules out the nodes the pod may use."},
	{CodeSchedulingGated, "scheduling", SeverityWarning, false, "The pod waits on scheduling gates that something must remove."},
	{CodeNotScheduled, "scheduling", SeverityWarning, false, "Pending with no scheduler verdict: a wrong schedulerName, or events expired."},
	{CodeNoNodesAvailable, "scheduling", SeverityError, false, "No node can take pods: none exist or all are cordoned."},

	{CodeImageNotFound, "image", SeverityError, true, "The image or tag does not exist in the registry (Docker Hub: or is private and the pod has no credentials)."},
	{CodeImagePullUnauthorized, "image", SeverityError, true, "The registry refused the pull: credentials or imagePullSecrets are missing or wrong."},
	{CodeImagePullRateLimited, "image", SeverityError, false, "The registry rate-limited the pull."},
	{CodeImagePullNetworkError, "image", SeverityError, false, "The node could not reach the registry (DNS, timeout, TLS)."},
	{CodeImagePlatformMismatch, "image", SeverityError, true, "The image has no variant for the node's OS/architecture."},
	{CodeImagePullBackOff, "image", SeverityError, false, "The image cannot be pulled; the kubelet backs off between tries."},
	{CodeInvalidImageName, "image", SeverityError, true, "The image reference is not a valid name."},
	{CodeErrImageNeverPull, "image", SeverityError, true, "imagePullPolicy is Never and the image is not on the node."},

	{CodeConfigMapNotFound, "config", SeverityError, true, "A ConfigMap the pod needs (by env or by volume) does not exist."},
	{CodeSecretNotFound, "config", SeverityError, true, "A Secret the pod needs (by env or by volume) does not exist."},
	{CodeConfigKeyNotFound, "config", SeverityError, true, "A key the container needs is missing from its ConfigMap or Secret."},
	{CodeRunAsNonRootViolation, "config", SeverityError, true, "runAsNonRoot is set but the image runs as root."},
	{CodeCreateContainerConfigError, "config", SeverityError, true, "The kubelet could not build the container's configuration."},
	{CodeExecutableNotFound, "runtime", SeverityError, true, "The container's command does not exist in the image."},
	{CodeExecPermissionDenied, "runtime", SeverityError, true, "The container's command is not executable (permission denied)."},
	{CodeExecFormatError, "runtime", SeverityError, true, "The container's binary is for another architecture (exec format error)."},
	{CodeRunContainerError, "runtime", SeverityError, false, "The container runtime refused to start the container."},
	{CodeVolumeMountFailed, "volume", SeverityError, false, "A volume could not be mounted (a missing ConfigMap or Secret is ConfigMapNotFound / SecretNotFound)."},
	{CodeVolumeAttachFailed, "volume", SeverityError, false, "A volume could not be attached to the node."},
	{CodeVolumeMultiAttach, "volume", SeverityError, false, "A ReadWriteOnce volume is still attached to another node."},
	{CodePodSandboxFailed, "runtime", SeverityError, false, "The node could not create the pod sandbox (CNI/network plugin)."},
	{CodeContainerCreatingSlow, "runtime", SeverityWarning, false, "The container has been creating for long with no clearer event."},
	{CodeInitContainerBlocked, "runtime", SeverityError, false, "An init container has not completed, so the app containers cannot start."},

	{CodeCrashLoopBackOff, "crash", SeverityError, false, "The container keeps exiting; the kubelet restarts it with growing back-off."},
	{CodeOOMKilled, "crash", SeverityError, false, "The container used more memory than its limit and was killed."},
	{CodeContainerExitedZero, "crash", SeverityError, false, "The process exited with 0 but restartPolicy Always expects it to keep running."},
	{CodeLivenessProbeFailed, "probe", SeverityError, false, "The liveness probe fails, so the kubelet kills and restarts the container."},
	{CodeFlapping, "crash", SeverityWarning, false, "Ready now, but a container restarts: often (10 or more, or weekly or faster) or within the last hour."},
	{CodeContainerStatusUnknown, "node", SeverityError, false, "The node lost track of the container (ContainerStatusUnknown)."},
	{CodeContainerTerminated, "crash", SeverityError, false, "The container terminated with an error."},

	{CodeReadinessProbeFailed, "probe", SeverityError, false, "The readiness probe fails, so the pod receives no traffic."},
	{CodeStartupProbeFailed, "probe", SeverityError, false, "The startup probe has not succeeded within its budget (failureThreshold × periodSeconds); the kubelet restarts the container. Within the budget it is Starting."},
	{CodeReadinessGatePending, "probe", SeverityError, false, "A readiness gate condition is not True."},
	{CodeContainerNotReady, "probe", SeverityError, false, "A container runs but is not ready, and no probe event explains it (events may have expired)."},

	{CodeEvicted, "lifecycle", SeverityError, false, "The kubelet evicted the pod because the node ran short of a resource."},
	{CodeKubeletAdmissionRejected, "lifecycle", SeverityError, false, "The kubelet refused to run the pod (OutOfcpu, OutOfmemory, OutOfpods, NodeAffinity...)."},
	{CodeSysctlForbidden, "lifecycle", SeverityError, true, "The pod sets an unsafe sysctl the kubelet does not allow."},
	{CodePreempted, "lifecycle", SeverityWarning, false, "The pod was preempted to make room for a higher-priority pod."},
	{CodeNodeShutdown, "lifecycle", SeverityWarning, false, "The pod was terminated by a node shutdown."},
	{CodeStuckTerminating, "lifecycle", SeverityError, false, "The pod is being deleted past its grace period (finalizers or an unreachable node)."},
	{CodeTerminating, "lifecycle", SeverityInfo, false, "The pod is being deleted and is still within its grace period."},
	{CodeNodeNotReady, "node", SeverityError, false, "The pod's node is NotReady or Unknown."},
	{CodeNodeDiskFull, "node", SeverityError, false, "The node's disk is full (no space left on device): images cannot be unpacked there."},
	{CodeNodePressure, "node", SeverityWarning, false, "The pod's node reports memory, disk or PID pressure."},
	{CodeCompletedUnderController, "lifecycle", SeverityError, false, "The pod completed, but its controller expects a long-running process."},
	{CodePodFailed, "lifecycle", SeverityError, false, "The pod failed."},
	{CodeStarting, "lifecycle", SeverityInfo, false, "The pod is starting normally."},
	{CodeEventsMissing, "access", SeverityInfo, false, "No events were found: they may have expired (1h by default); reasoning from status alone."},

	{CodeQuotaExceeded, "workload", SeverityError, false, "Pods cannot be created: a ResourceQuota is exhausted."},
	{CodeQuotaRequiresLimits, "workload", SeverityError, true, "A ResourceQuota requires requests/limits the pod template does not set."},
	{CodeLimitRangeViolation, "workload", SeverityError, true, "The pod template violates a LimitRange."},
	{CodePodSecurityViolation, "workload", SeverityError, true, "The pod template violates the namespace's Pod Security level."},
	{CodeServiceAccountNotFound, "workload", SeverityError, true, "The pod template names a ServiceAccount that does not exist."},
	{CodeAdmissionWebhookDenied, "workload", SeverityError, true, "An admission webhook denied the pod."},
	{CodeAdmissionWebhookUnreachable, "workload", SeverityError, false, "An admission webhook could not be called, and it fails closed."},
	{CodeFailedCreate, "workload", SeverityError, false, "The controller could not create pods."},
	{CodeProgressDeadlineExceeded, "workload", SeverityError, false, "The rollout made no progress within progressDeadlineSeconds."},
	{CodeRolloutPaused, "workload", SeverityWarning, false, "The rollout is paused (kubectl rollout resume)."},
	{CodeRolloutInProgress, "workload", SeverityInfo, false, "A rollout is under way and its new pods are becoming Ready: not a failure."},
	{CodeRolloutStuck, "workload", SeverityError, false, "The new revision's pods fail while the old revision still serves."},
	{CodeNotYetAvailable, "workload", SeverityWarning, false, "Pods are Ready but not yet Available (minReadySeconds): they do not serve as replicas until it passes."},
	{CodeScaledToZero, "workload", SeverityInfo, false, "Scaled to zero replicas: Ready by definition."},
	{CodeReplicasMissing, "workload", SeverityError, false, "Fewer pods exist than desired and no FailedCreate explains it."},
	{CodeReplicasUnavailable, "workload", SeverityWarning, false, "Replicas are not available yet and none is failing: they are starting."},
	{CodeLeftoverPods, "workload", SeverityWarning, false, "Failed or completed pods of a workload stay behind after being replaced; they do not affect readiness."},
	{CodeOrderedStartBlocked, "statefulset", SeverityError, false, "OrderedReady: a pod that is not Ready stops the higher ordinals from being created."},
	{CodePartitionHolding, "statefulset", SeverityInfo, false, "rollingUpdate.partition keeps the ordinals below it on the old revision."},
	{CodeOnDeleteUpdatePending, "statefulset", SeverityWarning, false, "updateStrategy OnDelete (a StatefulSet's or a DaemonSet's): pods take the new revision only when deleted by hand."},
	{CodeUpdateRevisionPending, "statefulset", SeverityWarning, false, "currentRevision differs from updateRevision: the update has not finished."},
	{CodeBrokenPodNotReplaced, "statefulset", SeverityError, false, "A broken pod keeps the old template; the controller will not replace it until it is deleted."},
	{CodeVolumeClaimTemplatePending, "statefulset", SeverityError, false, "A PersistentVolumeClaim from volumeClaimTemplates is Pending."},
	{CodeAccessForbidden, "access", SeverityWarning, false, "Something could not be read (RBAC): the answer names what was not checked."},

	{CodeDaemonPodFailingOnNode, "daemonset", SeverityError, false, "The DaemonSet's pods fail on some nodes only: it names those nodes, the pods' cause and what sets the nodes apart from those where it runs."},
	{CodeDaemonSetMisscheduled, "daemonset", SeverityWarning, false, "Pods of the DaemonSet run on nodes they should no longer run on (numberMisscheduled): a changed nodeSelector, affinity, toleration or node label."},

	{CodeBackoffLimitExceeded, "job", SeverityError, true, "The Job failed: its pods failed more often than backoffLimit allows. The last failed pod's own cause is named."},
	{CodeJobDeadlineExceeded, "job", SeverityError, true, "The Job failed: it was active longer than activeDeadlineSeconds."},
	{CodeJobPodFailurePolicy, "job", SeverityError, true, "The Job failed: a pod failure matched a FailJob rule of its podFailurePolicy."},
	{CodeMaxFailedIndexesExceeded, "job", SeverityError, true, "The Indexed Job failed: more indexes failed than maxFailedIndexes allows."},
	{CodeJobFailed, "job", SeverityError, true, "The Job failed (a reason other than the above, e.g. FailedIndexes)."},
	{CodeJobSuspended, "job", SeverityWarning, false, "The Job is suspended (spec.suspend): no pods run until it is resumed. Not finished, not failed."},
	{CodeJobRunning, "job", SeverityInfo, false, "The Job is running and its pods are healthy: not finished, not a failure."},
	{CodeJobRetrying, "job", SeverityWarning, false, "Pods of the running Job failed and were retried; each counts against backoffLimit. The last failed pod's cause is named."},

	{CodeCronJobLastRunFailed, "cronjob", SeverityError, false, "The CronJob's newest Job failed: it names the Job and, walked down, its cause."},
	{CodeCronJobSuspended, "cronjob", SeverityInfo, false, "The CronJob is suspended (spec.suspend): no Job is started until it is resumed."},
	{CodeCronJobInvalidSchedule, "cronjob", SeverityError, true, "The CronJob controller cannot use the schedule or the time zone (UnparseableSchedule, InvalidSchedule, UnknownTimeZone): no Job is ever started."},
	{CodeCronJobConcurrencyBlocked, "cronjob", SeverityWarning, false, "A scheduled run was skipped: concurrencyPolicy is Forbid and the previous Job is still running."},
	{CodeCronJobMissedSchedule, "cronjob", SeverityError, false, "Scheduled runs were missed (MissSchedule, TooManyMissedTimes): the controller could not start them within startingDeadlineSeconds. Error while no run has started since; a warning once one has."},
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
