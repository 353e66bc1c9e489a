global using OrleansChat.Grains.Tests.Infrastructure;
