-- Health of an ArgoCD Application, as seen by its parent app-of-apps.
-- ArgoCD 1.8 stopped assessing child Applications, so sync waves of an
-- app-of-apps no longer wait for a child to be ready. This check restores it:
-- a child is Healthy only when it is synced *and* its own health is Healthy
-- *and* no sync operation of it is still going (a PostSync hook such as the
-- PostgreSQL migration Job runs while the resources already look Healthy).
local hs = {status = "Progressing", message = "waiting for the Application to report"}
if obj.status == nil then
  return hs
end
local operation = obj.status.operationState
if operation ~= nil and (operation.phase == "Failed" or operation.phase == "Error") then
  hs.status = "Degraded"
  hs.message = operation.message or ("sync " .. operation.phase)
  return hs
end
if operation ~= nil and (operation.phase == "Running" or operation.phase == "Terminating") then
  hs.status = "Progressing"
  hs.message = "sync operation " .. operation.phase .. (operation.message and (": " .. operation.message) or "")
  return hs
end
local health = obj.status.health
if health == nil or health.status == nil then
  return hs
end
if health.status == "Healthy" and obj.status.sync ~= nil and obj.status.sync.status ~= "Synced" then
  hs.status = "Progressing"
  hs.message = "healthy but " .. (obj.status.sync.status or "not synced")
  return hs
end
hs.status = health.status
hs.message = health.message or health.status
return hs
